package org.rustydb.wal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The segment files of one log directory: prepares future segments (zero-filled full size, header
 * written, fsynced, then renamed into place, so a segment name always means a complete file), recycles old
 * ones by renaming them into future ones, and deletes the surplus. Overwriting a preallocated file makes
 * fdatasync cheaper than appending to a growing one (no file-size metadata to sync), as PostgreSQL does.
 *
 * <p>Thread-safe: every method holds this object's monitor, so the log writer preparing the segment it
 * needs and the background thread preparing ahead never race.
 */
final class WalSegments {

  private static final System.Logger LOG = System.getLogger(WalSegments.class.getName());
  private static final int ZERO_CHUNK = 1 << 20;

  final Path walDir;
  final Path archiveDir;
  final WalFile.Factory files;
  final int segmentSize;
  final int writeWindow;
  private final int maxReady;
  private final boolean archiving;

  /** The oldest segment still in the directory. */
  private long oldest;
  /** The highest-numbered segment file present (prepared, possibly unused). */
  private long highest;

  final AtomicLong created = new AtomicLong();
  final AtomicLong recycled = new AtomicLong();
  final AtomicLong removed = new AtomicLong();

  WalSegments(Path walDir, Path archiveDir, WalFile.Factory files, int segmentSize, int writeWindow,
      int maxReady, boolean archiving, long oldest, long highest) {
    this.walDir = walDir;
    this.archiveDir = archiveDir;
    this.files = files;
    this.segmentSize = segmentSize;
    this.writeWindow = writeWindow;
    this.maxReady = maxReady;
    this.archiving = archiving;
    this.oldest = oldest;
    this.highest = highest;
  }

  Path path(long segment) {
    return walDir.resolve(SegmentNames.name(segment));
  }

  Path archivePath(long segment) {
    return archiveDir.resolve(SegmentNames.name(segment) + SegmentNames.ARCHIVE_SUFFIX);
  }

  synchronized long oldest() {
    return oldest;
  }

  synchronized long highest() {
    return highest;
  }

  boolean isArchived(long segment) {
    return Files.exists(archivePath(segment));
  }

  /** Deletes files left half-prepared by a crash. */
  static void removeLeftovers(Path walDir) throws IOException {
    try (Stream<Path> s = Files.list(walDir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(SegmentNames.PREPARING_SUFFIX)).toList()) {
        LOG.log(Level.INFO, "removing half-prepared WAL segment {0}", p);
        Files.delete(p);
      }
    }
  }

  /** Makes sure segment {@code segment} exists as a prepared file; creates it zero-filled if not. */
  synchronized void prepare(long segment) throws IOException {
    if (Files.exists(path(segment))) return;
    if (segment < oldest) {
      throw new IllegalStateException("segment " + segment + " was recycled already (oldest " + oldest + ")");
    }
    Path tmp = walDir.resolve(SegmentNames.name(segment) + SegmentNames.PREPARING_SUFFIX);
    try (WalFile f = files.open(tmp, false)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
      for (long at = 0; at < segmentSize; at += ZERO_CHUNK) {
        zeros.clear().limit((int) Math.min(ZERO_CHUNK, segmentSize - at));
        f.write(zeros, at);
      }
      f.write(header(segment), 0);
      f.force();
    }
    Files.move(tmp, path(segment), StandardCopyOption.ATOMIC_MOVE);
    NioWalFile.syncDirectory(walDir);
    highest = Math.max(highest, segment);
    created.incrementAndGet();
  }

  /** Rewrites the header of an existing, unused future segment (one prepared by a differently configured writer). */
  synchronized void rewriteHeader(long segment) throws IOException {
    try (WalFile f = files.open(path(segment), false)) {
      f.write(header(segment), 0);
      f.force();
    }
  }

  /**
   * Recycles or removes the segments before {@code horizon} (exclusive) that are no longer needed,
   * oldest first, never {@code active} or later and, when archiving, never one not yet archived.
   */
  synchronized void recycleBefore(long horizon, long active) throws IOException {
    long limit = Math.min(horizon, active);
    while (oldest < limit) {
      long s = oldest;
      if (archiving && !isArchived(s)) break;
      if (highest - active < maxReady) {
        long target = highest + 1;
        Path tmp = walDir.resolve(SegmentNames.name(target) + SegmentNames.PREPARING_SUFFIX);
        Files.move(path(s), tmp, StandardCopyOption.ATOMIC_MOVE);
        try (WalFile f = files.open(tmp, false)) {
          f.write(header(target), 0);
          f.force();
        }
        Files.move(tmp, path(target), StandardCopyOption.ATOMIC_MOVE);
        highest = target;
        recycled.incrementAndGet();
      } else {
        Files.delete(path(s));
        removed.incrementAndGet();
      }
      NioWalFile.syncDirectory(walDir);
      oldest = s + 1;
    }
  }

  /** Notes that {@code segment} exists (found on open). */
  synchronized void noteExisting(long segment) {
    highest = Math.max(highest, segment);
  }

  private ByteBuffer header(long segment) {
    return new SegmentHeader(SegmentNames.TIMELINE, segmentSize, segment, writeWindow).encode();
  }
}
