package org.rustydb;

/**
 * A range scan over a {@link Table}, from {@link Table#scan} or {@link Table#scanDescending}: call
 * {@link #next()} until it returns false, reading {@link #key()} and {@link #value()} after each true.
 * Close it when done (try-with-resources); using it after close throws {@link ClosedException}.
 *
 * <pre>{@code
 * try (Cursor c = table.scan(from, to)) {
 *   while (c.next()) use(c.key(), c.value());
 * }
 * }</pre>
 *
 * <p>A cursor holds no lock or latch between calls: it sees every entry that stays in the table for the
 * whole scan exactly once, in order, and may or may not see entries added or removed meanwhile (weakly
 * consistent, as the JDK's concurrent collections). A cursor is for one thread.
 */
public interface Cursor extends AutoCloseable {

  /**
   * Moves to the next entry of the range; false (and no current entry) when the range is exhausted.
   *
   * @throws OperationFailedException when the table was dropped meanwhile
   * @throws ClosedException when the cursor or the database is closed
   */
  boolean next();

  /**
   * The current entry's key: a copy the caller may keep.
   *
   * @throws IllegalStateException before the first {@link #next()} or after it returned false
   */
  byte[] key();

  /**
   * The current entry's value: a copy the caller may keep (asked twice for one entry, a cursor may return
   * the same array).
   *
   * @throws IllegalStateException before the first {@link #next()} or after it returned false
   */
  byte[] value();

  /**
   * Ends the scan after {@code n} more entries: {@link #next()} then returns false. A cursor copies entries
   * out of the tree in batches that grow as the scan goes on, so a short scan that stops on its own may copy
   * some it never returns; one given its length copies exactly those, in one batch (up to 512) per read of
   * the tree. Calling it again replaces the limit. Returns this cursor:
   * {@code table.scan(from, null).limit(100)}.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  Cursor limit(long n);

  /** Releases the cursor; closing twice is harmless. */
  @Override
  void close();
}
