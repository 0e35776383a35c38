package org.rustydb.disk;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * The control file ({@code control} and its copy {@code control.bak} at the top of the data directory):
 * where recovery starts. One 512-byte block (a single sector, so even a non-atomic write of it rarely
 * tears); little-endian.
 *
 * <pre>
 *  offset size  field
 *  ------ ----  --------------------------------------------------------------------
 *       0    8  magic                 "RDBCTRL1" (ASCII)
 *       8    4  format version        {@link #FORMAT_VERSION}
 *      12    4  state                 1 clean shutdown, 2 in production, 3 in recovery
 *      16    8  database system id    random at init; WAL segments carry it too
 *      24    8  last checkpoint LSN   0 = none yet
 *      32    8  redo start LSN        where redo begins
 *      40    4  page format version   the slotted-page format the data files use
 *      44    4  WAL format version    the log record format the WAL uses
 *      48    4  page size             4096
 *      52    4  reserved              zero
 *      56    8  updated               milliseconds since the epoch of this write
 *      64    4  checksum              CRC32C of bytes 0..63
 *      68       end of fields; zero up to {@link #FILE_SIZE}
 * </pre>
 */
public final class ControlFileLayout {

  public static final int MAGIC = 0;
  public static final int FORMAT = MAGIC + 8;
  public static final int STATE = FORMAT + 4;
  public static final int SYSTEM_ID = STATE + 4;
  public static final int CHECKPOINT_LSN = SYSTEM_ID + 8;
  public static final int REDO_START_LSN = CHECKPOINT_LSN + 8;
  public static final int PAGE_FORMAT = REDO_START_LSN + 8;
  public static final int WAL_FORMAT = PAGE_FORMAT + 4;
  public static final int PAGE_SIZE = WAL_FORMAT + 4;
  public static final int RESERVED = PAGE_SIZE + 4;
  public static final int UPDATED = RESERVED + 4;
  public static final int CHECKSUM = UPDATED + 8;
  public static final int END = CHECKSUM + 4;
  public static final int FILE_SIZE = 512;

  public static final long MAGIC_VALUE = PageFileHeaderLayout.magic("RDBCTRL1");
  public static final int FORMAT_VERSION = 1;

  private ControlFileLayout() {}

  /** The file's bytes for {@code c}, checksum included. */
  public static byte[] encode(ControlFile.Contents c) {
    byte[] bytes = new byte[FILE_SIZE];
    MemorySegment s = MemorySegment.ofArray(bytes);
    s.set(Layouts.U64, MAGIC, MAGIC_VALUE);
    s.set(Layouts.U32, FORMAT, FORMAT_VERSION);
    s.set(Layouts.U32, STATE, c.state().code());
    s.set(Layouts.U64, SYSTEM_ID, c.systemId());
    s.set(Layouts.U64, CHECKPOINT_LSN, c.checkpointLsn());
    s.set(Layouts.U64, REDO_START_LSN, c.redoStartLsn());
    s.set(Layouts.U32, PAGE_FORMAT, c.pageFormatVersion());
    s.set(Layouts.U32, WAL_FORMAT, c.walFormatVersion());
    s.set(Layouts.U32, PAGE_SIZE, PageFileStore.PAGE_SIZE);
    s.set(Layouts.U64, UPDATED, c.updatedMillis());
    s.set(Layouts.U32, CHECKSUM, checksum(bytes));
    return bytes;
  }

  /** What is wrong with {@code bytes} as a control file, or null when they decode. */
  public static String problem(byte[] bytes) {
    if (bytes.length < END) return "too short (" + bytes.length + " bytes, need " + FILE_SIZE + ")";
    if (bytes.length != FILE_SIZE) return "wrong size (" + bytes.length + " bytes, expected " + FILE_SIZE + ")";
    MemorySegment s = MemorySegment.ofArray(bytes);
    if (s.get(Layouts.U64, MAGIC) != MAGIC_VALUE) return "no control-file magic at offset 0";
    int stored = s.get(Layouts.U32, CHECKSUM);
    int computed = checksum(bytes);
    if (stored != computed) {
      return String.format("checksum mismatch at offset %d (stored %08x, computed %08x)", CHECKSUM, stored, computed);
    }
    int version = s.get(Layouts.U32, FORMAT);
    if (version != FORMAT_VERSION) return "unsupported format version " + version;
    if (DatabaseState.fromCode(s.get(Layouts.U32, STATE)) == null) {
      return "unknown state code " + s.get(Layouts.U32, STATE) + " at offset " + STATE;
    }
    int pageFormat = s.get(Layouts.U32, PAGE_FORMAT);
    if (pageFormat != ControlFile.PAGE_FORMAT_VERSION) {
      return "page format version " + pageFormat + " (this build reads version " + ControlFile.PAGE_FORMAT_VERSION
          + "; the database was made by another version of RustyDB)";
    }
    int pageSize = s.get(Layouts.U32, PAGE_SIZE);
    if (pageSize != PageFileStore.PAGE_SIZE) return "page size " + pageSize + ", expected 4096";
    return null;
  }

  /** Decodes bytes for which {@link #problem} returned null. */
  public static ControlFile.Contents decode(byte[] bytes) {
    MemorySegment s = MemorySegment.ofArray(bytes);
    return new ControlFile.Contents(
        DatabaseState.fromCode(s.get(Layouts.U32, STATE)),
        s.get(Layouts.U64, SYSTEM_ID),
        s.get(Layouts.U64, CHECKPOINT_LSN),
        s.get(Layouts.U64, REDO_START_LSN),
        s.get(Layouts.U32, PAGE_FORMAT),
        s.get(Layouts.U32, WAL_FORMAT),
        s.get(Layouts.U64, UPDATED));
  }

  private static int checksum(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, CHECKSUM);
    return (int) crc.getValue();
  }
}
