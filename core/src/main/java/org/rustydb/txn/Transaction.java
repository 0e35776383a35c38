package org.rustydb.txn;

import java.util.ArrayList;
import java.util.List;
import org.rustydb.OperationFailedException;
import org.rustydb.wal.Durability;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.Lsn;

/**
 * A storage-level transaction handle from {@link TransactionManager#begin()}. Changes made through it are
 * logged before they reach a page and undone if it aborts; its row locks are held until it ends. One thread
 * at a time uses a transaction. After {@link #commit()} or {@link #abort()} every use throws
 * {@link OperationFailedException}.
 *
 * <p>It is also the public API's transaction handle ({@code Database.begin()}): use it in
 * try-with-resources, and {@link #close()} aborts it unless it was committed.
 *
 * <pre>{@code
 * try (Transaction txn = db.begin()) {
 *   table.put(txn, k1, v1);
 *   table.delete(txn, k2);
 *   txn.commit();
 * } // not committed (an exception above): aborted here, nothing of it stays
 * }</pre>
 */
public final class Transaction implements AutoCloseable {

  public enum State { ACTIVE, COMMITTED, ABORTED }

  private final TransactionManager manager;
  private final long id;
  private long firstLsn; // Lsn.NULL until its first record (its begin record) is logged
  private long lastLsn;
  private State state = State.ACTIVE;
  /** This transaction's updates, oldest first, for rollback without reading the log back. */
  private final List<Undo> undos = new ArrayList<>();
  private final List<LockManager.RowKey> locks = new ArrayList<>();

  record Undo(long lsn, LogRecord.Update update) {}

  Transaction(TransactionManager manager, long id) {
    this.manager = manager;
    this.id = id;
    this.firstLsn = Lsn.NULL;
    this.lastLsn = Lsn.NULL;
  }

  public long id() {
    return id;
  }

  public synchronized State state() {
    return state;
  }

  /**
   * The LSN of its begin record, {@link Lsn#NULL} while it has logged nothing: the begin record is written
   * with its first change, so a transaction that only reads leaves no trace in the log and commits without
   * waiting for it.
   */
  public synchronized long firstLsn() {
    return firstLsn;
  }

  /** The LSN of its latest record. */
  public synchronized long lastLsn() {
    return lastLsn;
  }

  /** Commits with the manager's default durability. */
  public void commit() {
    manager.commit(this, manager.defaultDurability());
  }

  public void commit(Durability durability) {
    manager.commit(this, durability);
  }

  /** Undoes every change (logging compensation records) and releases the locks. */
  public void abort() {
    manager.abort(this);
  }

  /**
   * Aborts the transaction if it is still active; does nothing once it has committed or aborted, so
   * try-with-resources undoes exactly the transactions that did not reach {@link #commit()}.
   */
  @Override
  public void close() {
    if (state() == State.ACTIVE) abort();
  }

  /** @throws OperationFailedException when the transaction has ended */
  public synchronized void checkActive() {
    if (state != State.ACTIVE) {
      throw new OperationFailedException("transaction " + id + " is " + state.name().toLowerCase() + "; it cannot be used");
    }
  }

  /** Its begin record was logged at {@code lsn} (under the manager's horizon latch). */
  synchronized void begun(long lsn) {
    firstLsn = lsn;
    lastLsn = lsn;
  }

  /** Called with the record's LSN under the manager's horizon latch; {@code update} null for a CLR. */
  synchronized void logged(long lsn, LogRecord.Update update) {
    lastLsn = lsn;
    if (update != null) undos.add(new Undo(lsn, update));
  }

  synchronized List<Undo> undos() {
    return new ArrayList<>(undos);
  }

  synchronized void end(State s) {
    state = s;
    undos.clear();
  }

  void addLock(LockManager.RowKey key) {
    synchronized (locks) {
      locks.add(key);
    }
  }

  List<LockManager.RowKey> locks() {
    synchronized (locks) {
      return new ArrayList<>(locks);
    }
  }

  @Override
  public String toString() {
    return "Transaction[" + id + ", " + state + ", last=" + Lsn.toString(lastLsn) + "]";
  }
}
