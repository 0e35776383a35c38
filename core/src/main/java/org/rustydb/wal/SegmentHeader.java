package org.rustydb.wal;

import static org.rustydb.wal.SegmentHeaderLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.rustydb.CorruptionException;

/** The decoded {@link SegmentHeaderLayout header} of one segment file. */
public record SegmentHeader(int timeline, int segmentSize, long segmentNumber, int writeWindow) {

  /** The LSN of the segment's byte 0. */
  public long firstLsn() {
    return segmentNumber * segmentSize;
  }

  /** The LSN of the segment's first record. */
  public long dataStartLsn() {
    return firstLsn() + SIZE;
  }

  /** The header's 64 bytes, checksum included. */
  public ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, (short) FORMAT_VERSION);
    b.putShort(HEADER_SIZE_OFFSET, (short) SIZE);
    b.putInt(TIMELINE_OFFSET, timeline);
    b.putInt(SEGMENT_SIZE_OFFSET, segmentSize);
    b.putLong(SEGMENT_NUMBER_OFFSET, segmentNumber);
    b.putLong(FIRST_LSN_OFFSET, firstLsn());
    b.putInt(WRITE_WINDOW_OFFSET, writeWindow);
    b.putInt(CRC_OFFSET, crc(b));
    return b;
  }

  /**
   * Decodes and checks the header in the first {@link SegmentHeaderLayout#SIZE} bytes of {@code b}.
   *
   * @param file named in the error
   * @param available how many bytes the file really has (a shorter file is reported as such)
   * @throws CorruptionException naming the file and what is wrong
   */
  public static SegmentHeader decode(ByteBuffer b, Path file, long available) {
    if (available < SIZE) {
      throw new CorruptionException(file + ": WAL segment is " + available + " bytes, shorter than its "
          + SIZE + "-byte header");
    }
    b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(MAGIC_OFFSET);
    if (magic != MAGIC) {
      throw new CorruptionException(String.format("%s: offset 0: not a WAL segment (magic 0x%08X, expected 0x%08X)",
          file, magic, MAGIC));
    }
    int stored = b.getInt(CRC_OFFSET);
    int computed = crc(b);
    if (stored != computed) {
      throw new CorruptionException(String.format("%s: offset %d: WAL segment header checksum 0x%08X does not match "
          + "its bytes (0x%08X)", file, CRC_OFFSET, stored, computed));
    }
    int version = b.getShort(VERSION_OFFSET) & 0xFFFF;
    if (version != FORMAT_VERSION) {
      throw new CorruptionException(file + ": WAL segment format version " + version + " is not supported (this "
          + "build reads version " + FORMAT_VERSION + ")");
    }
    int headerSize = b.getShort(HEADER_SIZE_OFFSET) & 0xFFFF;
    int segmentSize = b.getInt(SEGMENT_SIZE_OFFSET);
    long number = b.getLong(SEGMENT_NUMBER_OFFSET);
    int window = b.getInt(WRITE_WINDOW_OFFSET);
    if (headerSize != SIZE || segmentSize <= 0 || Integer.bitCount(segmentSize) != 1 || number < 1
        || b.getLong(FIRST_LSN_OFFSET) != number * segmentSize || window <= 0 || window > segmentSize) {
      throw new CorruptionException(file + ": WAL segment header is inconsistent (header size " + headerSize
          + ", segment size " + segmentSize + ", number " + number + ", write window " + window + ")");
    }
    return new SegmentHeader(b.getInt(TIMELINE_OFFSET), segmentSize, number, window);
  }

  private static int crc(ByteBuffer b) {
    CRC32C c = new CRC32C();
    c.update(b.array(), b.arrayOffset(), CRC_OFFSET);
    return (int) c.getValue();
  }
}
