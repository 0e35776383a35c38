package org.rustydb.wal;

/**
 * Log sequence numbers as plain {@code long}s: an LSN is the byte position of a record in the log, counted
 * over all segments as if they were one file. Static helpers only, so nothing is allocated per record
 * (the habit of Berkeley DB JE's {@code DbLsn}, though JE packs a file number and an offset; here the
 * position is linear and the segment follows from the segment size).
 *
 * <pre>
 *   lsn = segmentNumber * segmentSize + offsetInSegment      (segmentSize a power of two)
 * </pre>
 *
 * Segment numbers start at 1, so no record ever sits at LSN 0 and {@link #NULL} (0) means "no LSN" (for
 * example the previous LSN of a transaction's first record). An LSN compares as a signed long: LSNs never
 * reach 2^63.
 */
public final class Lsn {

  /** No LSN: the previous LSN of a transaction's first record, a page never logged. */
  public static final long NULL = 0L;

  private Lsn() {}

  /** The number of the segment holding {@code lsn}. */
  public static long segment(long lsn, int segmentSize) {
    return lsn >>> Integer.numberOfTrailingZeros(checkSegmentSize(segmentSize));
  }

  /** The byte offset of {@code lsn} inside its segment file. */
  public static int offset(long lsn, int segmentSize) {
    return (int) (lsn & (checkSegmentSize(segmentSize) - 1));
  }

  /** The LSN of byte {@code offset} of segment {@code segment}. */
  public static long of(long segment, int offset, int segmentSize) {
    checkSegmentSize(segmentSize);
    if (segment < 1 || offset < 0 || offset >= segmentSize) {
      throw new IllegalArgumentException("no such LSN: segment " + segment + " offset " + offset);
    }
    return segment * segmentSize + offset;
  }

  /**
   * PostgreSQL's notation: the high and low 32 bits in hex, {@code 0/01A2B3C4}. Sorts and reads like a
   * number, needs no segment size.
   */
  public static String toString(long lsn) {
    return String.format("%X/%08X", lsn >>> 32, lsn & 0xFFFF_FFFFL);
  }

  /** Segment and offset, {@code 3:0x40}: where to look in the files. */
  public static String toString(long lsn, int segmentSize) {
    return segment(lsn, segmentSize) + ":0x" + Integer.toHexString(offset(lsn, segmentSize));
  }

  /** Parses {@link #toString(long)}'s form ({@code 0/01A2B3C4}) or a plain decimal number. */
  public static long parse(String text) {
    int slash = text.indexOf('/');
    try {
      if (slash < 0) return Long.parseLong(text);
      return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an LSN (expected like 0/01A2B3C4): " + text, e);
    }
  }

  static int checkSegmentSize(int segmentSize) {
    if (segmentSize <= 0 || Integer.bitCount(segmentSize) != 1) {
      throw new IllegalArgumentException("segment size must be a power of two: " + segmentSize);
    }
    return segmentSize;
  }
}
