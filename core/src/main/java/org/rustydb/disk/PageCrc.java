package org.rustydb.disk;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * The page checksum rule every 4 KiB page of a page file follows, whoever formats it: CRC32C over all
 * {@value PageFileStore#PAGE_SIZE} bytes with the 4-byte field at {@link #OFFSET} taken as zero (DESIGN.md
 * Errata 1). The slotted pages of {@code org.rustydb.page} and the disk manager's own pages (the file
 * header page, free pages) share it, so the disk manager can check any page on read without knowing
 * its format. A page of all zero bytes (allocated, never written) is accepted as "never written".
 */
public final class PageCrc {

  /** Offset of the little-endian u32 checksum field in every page. */
  public static final int OFFSET = 16;

  private static final int PAGE = PageFileStore.PAGE_SIZE;
  private static final byte[] ZERO4 = new byte[4];

  private PageCrc() {}

  /** The checksum of {@code page} (its first 4096 bytes) with the checksum field taken as zero. */
  public static int compute(MemorySegment page) {
    requirePage(page);
    CRC32C crc = new CRC32C();
    crc.update(page.asSlice(0, OFFSET).asByteBuffer());
    crc.update(ZERO4);
    crc.update(page.asSlice(OFFSET + 4, PAGE - OFFSET - 4).asByteBuffer());
    return (int) crc.getValue();
  }

  /** Computes the checksum and stores it in the page's checksum field. */
  public static void stamp(MemorySegment page) {
    int c = compute(page);
    page.set(Layouts.U32, OFFSET, c);
  }

  /** The checksum stored in the page. */
  public static int stored(MemorySegment page) {
    requirePage(page);
    return page.get(Layouts.U32, OFFSET);
  }

  /** Whether the stored checksum matches the page's contents. */
  public static boolean matches(MemorySegment page) {
    return stored(page) == compute(page);
  }

  /** Whether the first 4096 bytes are all zero: a page allocated by file growth and never written. */
  public static boolean isAllZero(MemorySegment page) {
    requirePage(page);
    for (long off = 0; off < PAGE; off += 8) {
      if (page.get(Layouts.U64, off) != 0) return false;
    }
    return true;
  }

  private static void requirePage(MemorySegment page) {
    if (page.byteSize() < PAGE) {
      throw new IllegalArgumentException("a page needs " + PAGE + " bytes, segment has " + page.byteSize());
    }
  }
}
