package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.rustydb.disk.PageFileStore;

/**
 * The page checksum as the pool stamps and verifies it: CRC32C over all 4096 bytes with the checksum field
 * (bytes 16..19) taken as zero, stored little-endian at offset 16 (DESIGN.md "Errata" 1). A private stand-in
 * for {@code org.rustydb.page.PageChecksum}, which was not on this branch yet; same definition, to be replaced
 * by it on merge. The page LSN (bytes 8..15) is read here too, for the write-ahead hook.
 */
final class PageCrc {

  static final long LSN_OFFSET = 8;
  static final long CHECKSUM_OFFSET = 16;
  private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ByteBuffer ZERO4 = ByteBuffer.allocateDirect(4);

  private PageCrc() {}

  static int compute(MemorySegment page) {
    ByteBuffer bb = page.asByteBuffer();
    CRC32C crc = new CRC32C();
    crc.update(bb.slice(0, (int) CHECKSUM_OFFSET));
    crc.update(ZERO4.duplicate());
    int after = (int) CHECKSUM_OFFSET + 4;
    crc.update(bb.slice(after, PageFileStore.PAGE_SIZE - after));
    return (int) crc.getValue();
  }

  static void stamp(MemorySegment page) {
    page.set(LE_INT, CHECKSUM_OFFSET, compute(page));
  }

  static int stored(MemorySegment page) {
    return page.get(LE_INT, CHECKSUM_OFFSET);
  }

  /** True if the page was never written (all zeros) or its checksum matches. */
  static boolean verify(MemorySegment page) {
    return stored(page) == compute(page) || isZero(page);
  }

  static boolean isZero(MemorySegment page) {
    return page.mismatch(MemorySegment.ofArray(new byte[PageFileStore.PAGE_SIZE])) == -1;
  }

  static long lsn(MemorySegment page) {
    return page.get(LE_LONG, LSN_OFFSET);
  }
}
