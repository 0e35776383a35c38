package org.rustydb.wal;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the write-ahead log. Build with {@link #builder()}.
 *
 * <p>{@code segmentSize} and {@code bufferSize} shape the files, so, like PostgreSQL's segment size, they
 * are fixed when the log is created: every segment header records them, and reopening an existing log
 * uses the recorded values (logging a notice when these options ask for others).
 *
 * @param segmentSize bytes per segment file, a power of two from 64 KiB to 1 GiB (16 MiB)
 * @param bufferSize the log buffer: records appended but not yet written. The writer writes and fsyncs
 *     it as one unit, so it is also the most the log ever has written but not synced (the "write window"
 *     the reader uses to tell a torn tail from damage). 16 KiB .. segmentSize / 2 (1 MiB)
 * @param noSyncFlushInterval how soon the WAL writer thread makes NO_SYNC commits durable (200 ms)
 * @param minReadySegments future segments the writer thread keeps prepared ahead of the log (1)
 * @param maxReadySegments recycling renames old segments into future ones only while fewer than this
 *     many are ready; beyond, old segments are deleted (4)
 * @param archiving copy completed segments gzip-compressed into {@code archive/} before they may be
 *     recycled (false)
 * @param archiveRetryInitialDelay first wait after a failed archive attempt; doubles per failure (1 s)
 * @param archiveRetryMaxDelay the longest wait between archive attempts (1 min)
 * @param fileFactory opens segment files (the seam for fault injection; {@link NioWalFile#FACTORY})
 * @param archiver archives one segment ({@link GzipSegmentArchiver})
 */
public record WalOptions(
    int segmentSize,
    int bufferSize,
    Duration noSyncFlushInterval,
    int minReadySegments,
    int maxReadySegments,
    boolean archiving,
    Duration archiveRetryInitialDelay,
    Duration archiveRetryMaxDelay,
    WalFile.Factory fileFactory,
    SegmentArchiver archiver) {

  public static final int DEFAULT_SEGMENT_SIZE = 16 << 20;
  public static final int MIN_SEGMENT_SIZE = 64 << 10;
  public static final int MAX_SEGMENT_SIZE = 1 << 30;
  public static final int MIN_BUFFER_SIZE = 16 << 10;

  public WalOptions {
    Lsn.checkSegmentSize(segmentSize);
    if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("segment size must be 64 KiB .. 1 GiB: " + segmentSize);
    }
    if (bufferSize < MIN_BUFFER_SIZE || bufferSize > segmentSize / 2) {
      throw new IllegalArgumentException("buffer size must be 16 KiB .. segmentSize/2 (" + segmentSize / 2 + "): " + bufferSize);
    }
    if (minReadySegments < 0 || maxReadySegments < minReadySegments) {
      throw new IllegalArgumentException("need 0 <= minReadySegments <= maxReadySegments: " + minReadySegments + ", " + maxReadySegments);
    }
    positive(noSyncFlushInterval, "noSyncFlushInterval");
    positive(archiveRetryInitialDelay, "archiveRetryInitialDelay");
    positive(archiveRetryMaxDelay, "archiveRetryMaxDelay");
    Objects.requireNonNull(fileFactory, "fileFactory");
    Objects.requireNonNull(archiver, "archiver");
  }

  public static WalOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().segmentSize(segmentSize).bufferSize(bufferSize).noSyncFlushInterval(noSyncFlushInterval)
        .minReadySegments(minReadySegments).maxReadySegments(maxReadySegments).archiving(archiving)
        .archiveRetryInitialDelay(archiveRetryInitialDelay).archiveRetryMaxDelay(archiveRetryMaxDelay)
        .fileFactory(fileFactory).archiver(archiver);
  }

  private static void positive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive: " + d);
  }

  public static final class Builder {
    private int segmentSize = DEFAULT_SEGMENT_SIZE;
    private int bufferSize = 1 << 20;
    private Duration noSyncFlushInterval = Duration.ofMillis(200);
    private int minReadySegments = 1;
    private int maxReadySegments = 4;
    private boolean archiving;
    private Duration archiveRetryInitialDelay = Duration.ofSeconds(1);
    private Duration archiveRetryMaxDelay = Duration.ofMinutes(1);
    private WalFile.Factory fileFactory = NioWalFile.FACTORY;
    private SegmentArchiver archiver = GzipSegmentArchiver.INSTANCE;

    public Builder segmentSize(int v) { segmentSize = v; return this; }
    public Builder bufferSize(int v) { bufferSize = v; return this; }
    public Builder noSyncFlushInterval(Duration v) { noSyncFlushInterval = v; return this; }
    public Builder minReadySegments(int v) { minReadySegments = v; return this; }
    public Builder maxReadySegments(int v) { maxReadySegments = v; return this; }
    public Builder archiving(boolean v) { archiving = v; return this; }
    public Builder archiveRetryInitialDelay(Duration v) { archiveRetryInitialDelay = v; return this; }
    public Builder archiveRetryMaxDelay(Duration v) { archiveRetryMaxDelay = v; return this; }
    public Builder fileFactory(WalFile.Factory v) { fileFactory = v; return this; }
    public Builder archiver(SegmentArchiver v) { archiver = v; return this; }

    public WalOptions build() {
      return new WalOptions(segmentSize, bufferSize, noSyncFlushInterval, minReadySegments, maxReadySegments,
          archiving, archiveRetryInitialDelay, archiveRetryMaxDelay, fileFactory, archiver);
    }
  }
}
