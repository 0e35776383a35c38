package org.rustydb.recovery;

import java.time.Duration;
import org.rustydb.wal.Lsn;

/**
 * What a recovery did: how long it took, how much log it read, and what it found.
 *
 * @param duration wall time of analysis, redo and undo
 * @param bytesRead bytes of log records read over all passes
 * @param recordsRead log records read over all passes
 * @param redoStartLsn where redo started
 * @param endLsn the end of the valid log
 * @param recordsRedone records whose change was applied again (the page was older)
 * @param fullPageImages full-page images restored
 * @param losers transactions rolled back (active at the crash)
 * @param recordsUndone updates undone with a compensation record
 */
public record RecoveryReport(Duration duration, long bytesRead, long recordsRead, long redoStartLsn, long endLsn,
    long recordsRedone, long fullPageImages, int losers, long recordsUndone) {

  /** Bytes of log from the redo start to the end (what a recovery has to get through). */
  public long logBytes() {
    return Math.max(0, endLsn - redoStartLsn);
  }

  /**
   * Replay speed: MB (10^6 bytes) of log from the redo start to the end, per second of the whole recovery
   * ({@link #bytesRead} counts each pass's reading, so it is about twice that).
   */
  public double megabytesPerSecond() {
    double s = duration.toNanos() / 1e9;
    return s <= 0 ? 0 : logBytes() / 1e6 / s;
  }

  @Override
  public String toString() {
    return String.format("recovery: %d ms, read %d bytes (%d records) from %s to %s, redone %d, page images %d,"
        + " losers %d, undone %d", duration.toMillis(), bytesRead, recordsRead, Lsn.toString(redoStartLsn),
        Lsn.toString(endLsn), recordsRedone, fullPageImages, losers, recordsUndone);
  }
}
