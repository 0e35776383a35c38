package org.rustydb.txn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.rustydb.OperationFailedException;
import org.rustydb.memory.SlabAllocator;
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
  private long commitLsn; // Lsn.NULL until its commit record is logged
  private boolean redoOnly; // it logged an update with no undo payload (a system transaction's; see logUpdate)
  /** This transaction's updates, oldest first, for rollback without reading the log back. */
  private final List<Undo> undos = new ArrayList<>();
  private final List<LockManager.RowKey> locks = new ArrayList<>();
  /** What to do when it ends, after a rollback and before its locks go ({@link #onEnd}). */
  private final List<Runnable> endActions = new ArrayList<>(0);

  /**
   * One update to roll back: its page, resource manager, previous LSN and undo payload. The payload is a
   * small hot object that lives from the write to the commit or abort: it goes in a block of the memory
   * manager's {@link SlabAllocator} (off the Java heap and counted in the memory budget; freed by
   * {@link #end}) when the manager has one and it fits a block ({@value SlabAllocator#MAX_SIZE} bytes),
   * else it stays a heap array. The update record itself (which holds copies of both payloads) is not
   * kept: rollback builds a new one from these fields.
   */
  record Undo(long prevLsn, int rmId, long pageId, MemorySegment block, byte[] heap) {

    /** Stages the undo payload {@code undo} (in a slab block when {@code slab} is not null). */
    static Undo stage(SlabAllocator slab, long prevLsn, int rmId, long pageId, byte[] undo) {
      if (slab == null || undo.length == 0 || undo.length > SlabAllocator.MAX_SIZE) {
        return new Undo(prevLsn, rmId, pageId, null, undo);
      }
      MemorySegment block = slab.allocate(undo.length);
      MemorySegment.copy(undo, 0, block, ValueLayout.JAVA_BYTE, 0, undo.length);
      return new Undo(prevLsn, rmId, pageId, block, null);
    }

    /** The update this undoes, as logged (its redo payload is not kept: rollback never reads it). */
    LogRecord.Update update(long txnId) {
      byte[] undo = block == null ? heap : block.toArray(ValueLayout.JAVA_BYTE);
      return new LogRecord.Update(txnId, prevLsn, rmId, pageId, NO_REDO, undo);
    }

    /** Gives the slab block back (not once the slab closed with the database: its memory is gone). */
    void release(SlabAllocator slab) {
      if (block != null && slab.isOpen()) slab.free(block);
    }
  }

  private static final byte[] NO_REDO = new byte[0];

  Transaction(TransactionManager manager, long id) {
    this.manager = manager;
    this.id = id;
    this.firstLsn = Lsn.NULL;
    this.lastLsn = Lsn.NULL;
    this.commitLsn = Lsn.NULL;
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

  /** The LSN of its commit record: {@link Lsn#NULL} before it committed, or when it logged nothing. */
  public synchronized long commitLsn() {
    return commitLsn;
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

  synchronized void committedAt(long lsn) {
    commitLsn = lsn;
  }

  synchronized void loggedRedoOnly() {
    redoOnly = true;
  }

  synchronized boolean hasRedoOnly() {
    return redoOnly;
  }

  /** Called with the record's LSN under the manager's horizon latch; {@code undo} null for a CLR. */
  synchronized void logged(long lsn, Undo undo) {
    lastLsn = lsn;
    if (undo != null) undos.add(undo);
  }

  /** Whether {@code undo} is its latest update's (it was logged). */
  synchronized boolean holds(Undo undo) {
    return !undos.isEmpty() && undos.getLast() == undo;
  }

  synchronized List<Undo> undos() {
    return new ArrayList<>(undos);
  }

  synchronized void end(State s) {
    state = s;
    SlabAllocator slab = manager.slab();
    if (slab != null) for (Undo u : undos) u.release(slab);
    undos.clear();
    for (Runnable r : endActions) r.run();
    endActions.clear();
  }

  /**
   * Runs {@code action} when the transaction ends: after its commit record is written or its changes are
   * rolled back, and before its locks are released (engines drop what they keep for readers of its
   * uncommitted changes here).
   */
  public synchronized void onEnd(Runnable action) {
    endActions.add(action);
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
