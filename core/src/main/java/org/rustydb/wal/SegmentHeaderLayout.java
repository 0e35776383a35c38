package org.rustydb.wal;

/**
 * The header at the start of every WAL segment file. Written (and fsynced) when a segment file is
 * prepared, before the log ever reaches it, so a crash can never leave a half-written header: a header
 * that does not verify is damage, reported as such. Little-endian.
 *
 * <pre>
 *  offset  size  field
 *  ------  ----  --------------------------------------------------------------------------------
 *       0     4  magic          0x4C415752 ("RWAL" read as little-endian bytes 52 57 41 4C)
 *       4     2  format version 1
 *       6     2  header size    64
 *       8     4  timeline       1 (the first 8 hex digits of the file name)
 *      12     4  segment size   bytes per segment, a power of two
 *      16     8  segment number the last 16 hex digits of the file name
 *      24     8  first LSN      segment number * segment size: the LSN of byte 0 of this file
 *      32     4  write window   the most bytes the writer ever has written but not yet fsynced
 *      36    24  reserved       0
 *      60     4  crc            CRC32C of bytes 0..59
 *      64        first record
 * </pre>
 *
 * <p>The write window is what lets the reader tell a torn tail from damage in the middle of the log
 * (see {@link WalReader}): after a crash, only the last write window's bytes can be partly written.
 */
public final class SegmentHeaderLayout {

  public static final int MAGIC = 0x4C415752;
  public static final int FORMAT_VERSION = 1;

  public static final int MAGIC_OFFSET = 0;
  public static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
  public static final int HEADER_SIZE_OFFSET = VERSION_OFFSET + Short.BYTES;
  public static final int TIMELINE_OFFSET = HEADER_SIZE_OFFSET + Short.BYTES;
  public static final int SEGMENT_SIZE_OFFSET = TIMELINE_OFFSET + Integer.BYTES;
  public static final int SEGMENT_NUMBER_OFFSET = SEGMENT_SIZE_OFFSET + Integer.BYTES;
  public static final int FIRST_LSN_OFFSET = SEGMENT_NUMBER_OFFSET + Long.BYTES;
  public static final int WRITE_WINDOW_OFFSET = FIRST_LSN_OFFSET + Long.BYTES;
  public static final int RESERVED_OFFSET = WRITE_WINDOW_OFFSET + Integer.BYTES;
  public static final int RESERVED_SIZE = 24;
  public static final int CRC_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;
  public static final int SIZE = CRC_OFFSET + Integer.BYTES;

  private SegmentHeaderLayout() {}
}
