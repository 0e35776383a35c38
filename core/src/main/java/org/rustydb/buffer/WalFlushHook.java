package org.rustydb.buffer;

/**
 * The write-ahead rule at the pool's edge: before a dirty page is written, the pool calls
 * {@link #flushUpTo(long)} with the page's LSN (bytes 8..15 of the page, little-endian) and writes only after
 * it returns. The WAL plugs its "make the log durable up to here" in; the default does nothing.
 */
@FunctionalInterface
public interface WalFlushHook {

  WalFlushHook NONE = lsn -> {};

  /** Returns once the log is durable up to and including {@code pageLsn}. */
  void flushUpTo(long pageLsn);

  /**
   * Whether the log is durable up to and including {@code pageLsn} already, so that {@link #flushUpTo} would
   * not wait: a miss prefers such a victim to one whose write-back would first wait for a log sync.
   */
  default boolean isDurable(long pageLsn) {
    return true;
  }

  /** Asks for the log to be made durable soon, in the background (a victim was passed over for it). */
  default void flushSoon() {}
}
