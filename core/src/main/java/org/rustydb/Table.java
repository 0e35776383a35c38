package org.rustydb;

import org.rustydb.txn.Transaction;

/**
 * A table of byte-array keys and values, from {@link Database#createTable} or {@link Database#openTable}.
 * Keys are ordered as unsigned bytes. Every handle is safe for concurrent use by many threads.
 *
 * <h2>Auto-commit or explicit transactions</h2>
 * Each operation comes in two forms. Without a transaction it auto-commits: it begins a transaction, does
 * the operation, and commits with the database's default durability ({@link DatabaseOptions#durability()});
 * if the operation fails the transaction is aborted and the exception is rethrown, so nothing of it stays.
 * With a {@link Transaction} first (from {@link Database#begin()}) it joins that transaction: its changes
 * become durable at {@code commit()} and are undone by {@code abort()} (or by closing the transaction
 * uncommitted, see {@link Transaction#close()}). Writes lock their key for the transaction until it ends;
 * a second transaction writing the same key meanwhile fails at once with {@link OperationFailedException}
 * (no waiting, so no deadlocks).
 *
 * <h2>What reads see: read committed</h2>
 * A read (get or scan) sees committed data and its own transaction's changes, never another transaction's
 * uncommitted changes: where another transaction has changed a key and not yet ended, a read returns the
 * value the key had before (absent if that transaction inserted it, present if it deleted it), and a commit
 * becomes visible to reads as a whole when the commit returns. Reads take no locks and never wait for
 * writers. Each read sees the latest committed value at its moment, so two reads of a key in one
 * transaction can differ if another transaction committed a change between them (no repeatable reads).
 *
 * <h2>Errors</h2>
 * Expected outcomes are return values (a missing key: {@code get} returns null, {@code delete} false).
 * {@link OperationFailedException}: this call failed and the database is fine (key or value over the
 * limits, a write conflict, the table was dropped, the transaction has ended). {@link ClosedException}: the
 * database is closed. {@link DatabaseFailedException}: the database can no longer be trusted. A null key
 * or value is a programming error ({@link NullPointerException}).
 */
public sealed interface Table permits BTreeTable {

  /** The table's name. */
  String name();

  /** The engine that stores it. */
  EngineKind engine();

  /** The longest key in bytes (256 for a B+tree). */
  int maxKeySize();

  /** The longest value in bytes (1 MiB for a B+tree). */
  int maxValueSize();

  /** The committed value stored under {@code key}, or null if there is none (auto-commit: a plain read). */
  byte[] get(byte[] key);

  /**
   * The value stored under {@code key} as {@code txn} sees it (the committed value, or its own uncommitted
   * write), or null.
   *
   * @throws OperationFailedException when {@code txn} has ended
   */
  byte[] get(Transaction txn, byte[] key);

  /**
   * Stores {@code value} under {@code key}, replacing any value there, and commits. Returns true if the
   * key was new.
   *
   * @throws OperationFailedException when the key or value is over the limits, or another transaction holds
   *     the key's lock
   */
  boolean put(byte[] key, byte[] value);

  /** As {@link #put(byte[], byte[])}, inside {@code txn}. */
  boolean put(Transaction txn, byte[] key, byte[] value);

  /** Removes {@code key} and commits. Returns false if it was not there. */
  boolean delete(byte[] key);

  /** As {@link #delete(byte[])}, inside {@code txn}. */
  boolean delete(Transaction txn, byte[] key);

  /**
   * The entries with {@code from <= key < to} in ascending key order; a null bound is open. See
   * {@link Cursor} for what a scan sees of concurrent changes.
   */
  Cursor scan(byte[] from, byte[] to);

  /** As {@link #scan(byte[], byte[])} for {@code txn} (checked to be active; the scan itself takes no locks). */
  Cursor scan(Transaction txn, byte[] from, byte[] to);

  /** The entries with {@code from <= key < to} in descending key order; a null bound is open. */
  Cursor scanDescending(byte[] from, byte[] to);

  /** As {@link #scanDescending(byte[], byte[])} for {@code txn}. */
  Cursor scanDescending(Transaction txn, byte[] from, byte[] to);
}
