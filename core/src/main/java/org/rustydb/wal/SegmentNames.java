package org.rustydb.wal;

/**
 * WAL segment file names: 24 hex digits, the timeline (8) then the segment number (16), as the spec's
 * {@code 000000010000000000000001}. Names sort in log order.
 */
public final class SegmentNames {

  /** The only timeline so far; point-in-time recovery to a new timeline would add others. */
  public static final int TIMELINE = 1;

  /** Archived segments: the segment name plus this suffix, gzip-compressed. */
  public static final String ARCHIVE_SUFFIX = ".gz";

  /** A segment file being prepared (zero-filled or recycled) before it gets its real name. */
  static final String PREPARING_SUFFIX = ".prep";

  private SegmentNames() {}

  public static String name(long segment) {
    return String.format("%08X%016X", TIMELINE, segment);
  }

  /** The segment number named by {@code fileName}, or -1 when it is not a segment name of our timeline. */
  public static long parse(String fileName) {
    if (fileName.length() != 24) return -1;
    for (int i = 0; i < 24; i++) {
      char c = fileName.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return -1;
    }
    if (Integer.parseUnsignedInt(fileName.substring(0, 8), 16) != TIMELINE) return -1;
    long n = Long.parseUnsignedLong(fileName.substring(8), 16);
    return n >= 1 ? n : -1;
  }
}
