package org.rustydb.page;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The page checksum: CRC32C (hardware-accelerated on x86 and ARM through the JDK's intrinsic) over all
 * {@value PageLayout#PAGE_SIZE} bytes with the checksum field taken as zero, stored little-endian at
 * {@link PageLayout#CHECKSUM_OFFSET}. Set when a page is written out, verified when it is read in.
 */
public final class PageChecksum {

  private static final ByteBuffer ZERO_FIELD = ByteBuffer.allocateDirect(Integer.BYTES);

  private PageChecksum() {}

  /** The checksum the page should carry. */
  public static int compute(MemorySegment page) {
    checkSize(page);
    ByteBuffer bytes = page.asByteBuffer();
    CRC32C crc = new CRC32C();
    crc.update(bytes.slice(0, PageLayout.CHECKSUM_OFFSET));
    crc.update(ZERO_FIELD.duplicate());
    int after = PageLayout.CHECKSUM_OFFSET + Integer.BYTES;
    crc.update(bytes.slice(after, PageLayout.PAGE_SIZE - after));
    return (int) crc.getValue();
  }

  /** Computes the checksum and stores it in the page. */
  public static void stamp(MemorySegment page) {
    page.set(PageLayout.U32, PageLayout.CHECKSUM_OFFSET, compute(page));
  }

  /** The checksum stored in the page. */
  public static int stored(MemorySegment page) {
    checkSize(page);
    return page.get(PageLayout.U32, PageLayout.CHECKSUM_OFFSET);
  }

  /** Whether the stored checksum matches the page's bytes. */
  public static boolean verify(MemorySegment page) {
    return stored(page) == compute(page);
  }

  /** Whether every byte of the page is zero: allocated but never written. */
  public static boolean isAllZero(MemorySegment page) {
    checkSize(page);
    return page.mismatch(ZEROES) == -1;
  }

  private static final MemorySegment ZEROES = MemorySegment.ofArray(new byte[PageLayout.PAGE_SIZE]);

  private static void checkSize(MemorySegment page) {
    if (page.byteSize() != PageLayout.PAGE_SIZE) {
      throw new IllegalArgumentException("a page is " + PageLayout.PAGE_SIZE + " bytes, not " + page.byteSize());
    }
  }
}
