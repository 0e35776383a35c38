package org.rustydb.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.rustydb.ClosedException;
import org.rustydb.CorruptionException;
import org.rustydb.OperationFailedException;

/**
 * Reads log records forward from an LSN, across segments, up to the end of the valid log.
 *
 * <pre>
 *   try (WalReader r = WalReader.open(walDir)) {
 *     r.seek(lsn);                       // or stay at the oldest segment's first record
 *     while (r.next()) { use(r.lsn(), r.record()); }
 *     long end = r.endLsn();             // where the valid log ends: the next record would go there
 *   }
 * </pre>
 *
 * <h2>Where the log ends: torn tail or damage?</h2>
 *
 * The log ends at the first position that does not hold a valid record: zeros (a preallocated segment
 * never written so far), a record whose length or CRC32C does not verify (a write torn by a crash), or a
 * stale record of a recycled file's previous life (its CRC covers another LSN, so it never verifies here).
 * A crash can only have torn bytes the writer had written but not yet fsynced, and the writer never has
 * more of those than the <em>write window</em> W recorded in each segment header (its buffer size: it
 * writes a buffer, fsyncs, and only then writes the next). So when the record at position p is invalid:
 *
 * <ul>
 *   <li>if a valid record starts at least W bytes of log after p (later in p's segment, past W bytes into
 *       the next segment, or at the start of any later segment), those bytes were written before p's
 *       record was lost: the log is damaged in the middle, and the reader throws
 *       {@link CorruptionException} naming the segment file and offset of p;</li>
 *   <li>otherwise p is the end of the log (a torn or zeroed tail). Any valid record within W after p was
 *       written in the same unsynced window, never acknowledged, and is dropped with the torn one (the
 *       writer zeroes that window when it reopens the log).</li>
 * </ul>
 *
 * Damage to the last W bytes of the log is therefore indistinguishable from a torn write and ends the log
 * there, as every invalid record does in PostgreSQL. Records are checked at every byte offset in that
 * search, so it costs one pass over at most two segments, once, at the end of the log.
 *
 * <p>A segment header that does not verify is always damage (headers are written and synced before the
 * log reaches a segment), reported with the file name. Not thread-safe; one reader per thread.
 */
public final class WalReader implements AutoCloseable {

  private final Path walDir;
  private final WalFile.Factory files;
  private final int segmentSize;
  private final TreeSet<Long> segments;
  private final CRC32C crc = new CRC32C();

  private final byte[] data;
  private final ByteBuffer view;
  private long seg = -1;
  private SegmentHeader header;
  private int pos;
  private boolean ended;
  private long endLsn = Lsn.NULL;
  private boolean closed;

  private long recLsn = Lsn.NULL;
  private int recLength;
  private LogRecord record;
  private long bytesRead;

  private WalReader(Path walDir, WalFile.Factory files, TreeSet<Long> segments, int segmentSize) {
    this.walDir = walDir;
    this.files = files;
    this.segments = segments;
    this.segmentSize = segmentSize;
    this.data = new byte[segmentSize];
    this.view = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Opens the log in {@code walDir}, positioned at the oldest segment's first record. */
  public static WalReader open(Path walDir) {
    return open(walDir, NioWalFile.FACTORY);
  }

  public static WalReader open(Path walDir, WalFile.Factory files) {
    TreeSet<Long> segments = listSegments(walDir);
    if (segments.isEmpty()) {
      throw new OperationFailedException(walDir + ": no WAL segments (files named like 000000010000000000000001)");
    }
    SegmentHeader first = readHeader(walDir.resolve(SegmentNames.name(segments.first())), files);
    WalReader r = new WalReader(walDir, files, segments, first.segmentSize());
    r.seek(first.dataStartLsn());
    return r;
  }

  /** The segment numbers in {@code walDir}, ascending. */
  static TreeSet<Long> listSegments(Path walDir) {
    TreeSet<Long> out = new TreeSet<>();
    try (Stream<Path> s = Files.list(walDir)) {
      s.forEach(p -> {
        long n = SegmentNames.parse(p.getFileName().toString());
        if (n > 0) out.add(n);
      });
    } catch (NoSuchFileException e) {
      throw new OperationFailedException(walDir + ": no such WAL directory");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static SegmentHeader readHeader(Path file, WalFile.Factory files) {
    ByteBuffer b = ByteBuffer.allocate(SegmentHeaderLayout.SIZE);
    try (WalFile f = files.open(file, true)) {
      int n = f.read(b, 0);
      return SegmentHeader.decode(b, file, n);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  public int segmentSize() {
    return segmentSize;
  }

  /** The oldest segment's first record. */
  public long firstLsn() {
    return segments.first() * segmentSize + SegmentHeaderLayout.SIZE;
  }

  /** The write window of the segments read, from their headers. */
  public int writeWindow() {
    checkOpen();
    return header.writeWindow();
  }

  /**
   * Positions the reader at {@code lsn}: a record's LSN, a segment's first record, or the end of the log.
   *
   * @throws CorruptionException when the segment holding {@code lsn} is missing while later ones exist
   */
  public void seek(long lsn) {
    checkOpen();
    long s = Lsn.segment(lsn, segmentSize);
    int off = Lsn.offset(lsn, segmentSize);
    if (off < SegmentHeaderLayout.SIZE) {
      throw new IllegalArgumentException("LSN " + Lsn.toString(lsn) + " is inside segment " + s + "'s header");
    }
    ended = false;
    record = null;
    if (!load(s)) {
      if (!segments.isEmpty() && s > segments.last()) {
        endAt(lsn);
        return;
      }
      throw new CorruptionException(walDir.resolve(SegmentNames.name(s)) + ": WAL segment needed for LSN "
          + Lsn.toString(lsn) + " is missing (the log holds segments " + segments.first() + ".." + segments.last() + ")");
    }
    pos = off;
  }

  /**
   * Reads the next record. Returns false at the end of the valid log ({@link #endLsn()} says where).
   *
   * @throws CorruptionException when the log is damaged before its end (see the class comment)
   */
  public boolean next() {
    checkOpen();
    if (ended) return false;
    if (pos >= segmentSize || record instanceof LogRecord.SegmentSwitch) {
      long nextStart = (seg + 1) * segmentSize + SegmentHeaderLayout.SIZE;
      if (!load(seg + 1)) {
        Path missing = walDir.resolve(SegmentNames.name(seg + 1));
        long later = validSegmentStartAfter(seg + 1);
        if (later != Lsn.NULL) {
          throw new CorruptionException(missing + ": WAL segment is missing but "
              + "the log goes on at " + Lsn.toString(later) + " in a later segment");
        }
        endAt(nextStart);
        record = null;
        return false;
      }
      pos = SegmentHeaderLayout.SIZE;
    }
    long lsn = seg * segmentSize + pos;
    int len = LogRecordCodec.validLength(view, pos, segmentSize, lsn, crc);
    if (len < 0) {
      Path file = currentFile();
      long beyond = validRecordBeyondWindow(pos);
      if (beyond != Lsn.NULL) {
        throw new CorruptionException(file + ": offset " + pos + " (LSN " + Lsn.toString(lsn)
            + "): invalid WAL record (length " + view.getInt(pos) + ", checksum mismatch or torn), yet a valid "
            + "record follows at LSN " + Lsn.toString(beyond) + ", beyond what a crash can tear: the log is damaged");
      }
      endAt(lsn);
      record = null;
      return false;
    }
    try {
      record = LogRecordCodec.decode(view, pos, len);
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(currentFile() + ": offset " + pos + " (LSN " + Lsn.toString(lsn)
          + "): WAL record checksums but cannot be decoded: " + e.getMessage(), e);
    }
    recLsn = lsn;
    recLength = len;
    pos += len;
    bytesRead += len;
    return true;
  }

  /** The LSN of the record {@link #next()} returned. */
  public long lsn() {
    return recLsn;
  }

  /** The encoded length of that record, header included. */
  public int length() {
    return recLength;
  }

  public LogRecord record() {
    if (record == null) throw new IllegalStateException("no current record: call next() first");
    return record;
  }

  /** Where the valid log ends (the LSN the next record would get); valid once {@link #next()} returned false. */
  public long endLsn() {
    if (!ended) throw new IllegalStateException("the end of the log is not reached yet");
    return endLsn;
  }

  /** Bytes of records returned so far. */
  public long bytesRead() {
    return bytesRead;
  }

  /** The segment file being read. */
  public Path currentFile() {
    return walDir.resolve(SegmentNames.name(seg));
  }

  /**
   * The end of the valid log, found by reading from the segment before the newest one holding a valid
   * first record (a crash can tear at most the write window, which spans at most two segments).
   */
  public long findEnd() {
    checkOpen();
    long start = segments.first();
    for (Long s : segments.descendingSet()) {
      if (firstRecordValid(s)) {
        start = Math.max(segments.first(), s - 1);
        break;
      }
    }
    seek(start * segmentSize + SegmentHeaderLayout.SIZE);
    while (next()) {
      // reading to the end verifies every record on the way
    }
    return endLsn;
  }

  @Override
  public void close() {
    closed = true;
  }

  private void endAt(long lsn) {
    ended = true;
    endLsn = lsn;
  }

  /**
   * Whether segment {@code s} exists and its first record is valid, reading only its header and that
   * record (not the whole segment: this runs over every future segment when the log's end is sought).
   *
   * @throws CorruptionException when its header does not verify
   */
  private boolean firstRecordValid(long s) {
    Path file = walDir.resolve(SegmentNames.name(s));
    try (WalFile f = files.open(file, true)) {
      ByteBuffer head = ByteBuffer.allocate(SegmentHeaderLayout.SIZE + LogRecordLayout.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      int n = f.read(head, 0);
      SegmentHeader h = SegmentHeader.decode(head, file, n);
      if (h.segmentNumber() != s || h.segmentSize() != segmentSize) {
        throw new CorruptionException(file + ": WAL segment header says segment " + h.segmentNumber() + " of "
            + h.segmentSize() + " bytes, expected segment " + s + " of " + segmentSize + " bytes");
      }
      if (n < head.capacity()) return false;
      int len = head.getInt(SegmentHeaderLayout.SIZE + LogRecordLayout.LENGTH_OFFSET);
      if (len < LogRecordLayout.HEADER_SIZE || len > segmentSize - SegmentHeaderLayout.SIZE) return false;
      ByteBuffer rec = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
      if (f.read(rec, SegmentHeaderLayout.SIZE) < len) return false;
      return LogRecordCodec.validLength(rec, 0, len, s * segmentSize + SegmentHeaderLayout.SIZE, crc) > 0;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Loads segment {@code s} into {@link #data}; false when its file does not exist. */
  private boolean load(long s) {
    if (s == seg) return true;
    Path file = walDir.resolve(SegmentNames.name(s));
    int n;
    try (WalFile f = files.open(file, true)) {
      n = f.read(ByteBuffer.wrap(data), 0);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    seg = -1;
    Arrays.fill(data, n, data.length, (byte) 0); // a file cut short reads as zeros: the log ends there
    SegmentHeader h = SegmentHeader.decode(view, file, n);
    if (h.segmentNumber() != s || h.segmentSize() != segmentSize || h.timeline() != SegmentNames.TIMELINE) {
      throw new CorruptionException(file + ": WAL segment header says segment " + h.segmentNumber() + " of "
          + h.segmentSize() + " bytes on timeline " + h.timeline() + ", expected segment " + s + " of "
          + segmentSize + " bytes on timeline " + SegmentNames.TIMELINE);
    }
    seg = s;
    header = h;
    return true;
  }

  /**
   * The LSN of a valid record at least one write window after the invalid record at offset {@code p} of
   * the current segment, or {@link Lsn#NULL} when there is none (p is a torn tail). Leaves the current
   * segment loaded as it was.
   */
  private long validRecordBeyondWindow(int p) {
    long here = seg;
    int window = header.writeWindow();
    long found = scan(p + (long) window);
    if (found == Lsn.NULL) {
      // In the next segment, only records W or more bytes past its start prove damage: the unsynced
      // write may have put up to W bytes there (the rest of this segment after a switch record is
      // skipped, never written, so distance to this segment's end says nothing).
      if (load(here + 1)) {
        found = scan(SegmentHeaderLayout.SIZE + (long) window);
      }
      if (found == Lsn.NULL) found = validSegmentStartAfter(here + 1);
    }
    if (!load(here)) {
      throw new CorruptionException(walDir.resolve(SegmentNames.name(here)) + ": WAL segment vanished while reading");
    }
    return found;
  }

  /** The LSN of the first valid record at or after offset {@code from} of the loaded segment, or NULL. */
  private long scan(long from) {
    long base = seg * segmentSize;
    for (long q = Math.max(from, SegmentHeaderLayout.SIZE); q <= segmentSize - LogRecordLayout.HEADER_SIZE; q++) {
      int at = (int) q;
      int len = view.getInt(at);
      if (len < LogRecordLayout.HEADER_SIZE || len > segmentSize - at) continue;
      if (LogRecordCodec.validLength(view, at, segmentSize, base + at, crc) > 0) return base + at;
    }
    return Lsn.NULL;
  }

  /** The first record of the lowest segment after {@code s} whose first record is valid, or NULL. */
  private long validSegmentStartAfter(long s) {
    for (Long later : segments.tailSet(s, false)) {
      if (firstRecordValid(later)) return later * segmentSize + SegmentHeaderLayout.SIZE;
    }
    return Lsn.NULL;
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("WAL reader");
  }
}
