package org.rustydb.txn;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.memory.MemoryManager;
import org.rustydb.memory.SlabAllocator;
import org.rustydb.memory.TransactionArena;
import org.rustydb.memory.TransactionProfile;
import org.rustydb.page.PageLayout;
import org.rustydb.wal.Durability;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.Lsn;
import org.rustydb.wal.WalWriter;

/**
 * Begins, commits and aborts transactions, and is the one door through which engines log page changes.
 *
 * <h2>Logging a change ({@link #logUpdate})</h2>
 * The caller holds the page's write guard. Under it: (1) if the page was last changed before the current
 * checkpoint's start (the <em>full-page-image horizon</em>) a {@link LogRecord.FullPageImage} of the page
 * as it is now is logged first, so recovery can rebuild a page a crash tore mid-write (PostgreSQL's
 * full_page_writes); (2) the update record is appended (write-ahead: before the page changes); (3) the
 * engine applies the redo payload and sets the page LSN to the record's LSN; (4) the page's recovery LSN
 * goes into the {@link DirtyPageTable} if it was clean. The horizon check and the append happen under the
 * read side of a lock whose write side a checkpoint takes only to append its begin record and move the
 * horizon: no change can slip between the two unprotected.
 *
 * <h2>Commit and abort</h2>
 * Commit appends a commit record through the WAL's group commit ({@link Durability#SYNC} waits for the
 * shared fsync, {@code NO_SYNC} does not) and then releases the row locks. Abort undoes the transaction's
 * updates newest first: for each, the engine turns the undo payload into a compensation record's redo
 * payload, which is logged (its undo-next LSN is the update's previous LSN) and applied like any change;
 * then an abort record is appended and the locks released.
 *
 * <h2>Working memory</h2>
 * With a {@link MemoryManager} (the database's), transactions keep their undo payloads in its slab
 * ({@link Transaction.Undo}) and engines take a structure change's working memory from its pool of
 * transaction arenas ({@link #acquireArena}): both count against the one memory budget, and a write the
 * budget cannot cover fails that operation alone. Without one they stay on the Java heap.
 */
public final class TransactionManager {

  private final WalWriter wal;
  private final BufferPool pool;
  private final ResourceManagerRegistry rms;
  private final LockManager locks = new LockManager();
  private final TransactionTable table = new TransactionTable();
  private final DirtyPageTable dirtyPages = new DirtyPageTable();
  private final AtomicLong nextTxnId;
  private final Durability defaultDurability;
  private final ReentrantReadWriteLock horizonLock = new ReentrantReadWriteLock();
  private volatile long fpiHorizon;
  private final MemoryManager memory; // null: working memory on the Java heap

  /**
   * @param firstTxnId the id the next transaction gets (recovery passes one past the largest in the log)
   * @param fpiHorizon the start of the last checkpoint: pages last changed before it get a full-page image
   *     on their next change
   */
  public TransactionManager(WalWriter wal, BufferPool pool, ResourceManagerRegistry rms, Durability defaultDurability,
      long firstTxnId, long fpiHorizon) {
    this(wal, pool, rms, defaultDurability, firstTxnId, fpiHorizon, null);
  }

  /** As above, with transactions' working memory from {@code memory} (null: on the Java heap). */
  public TransactionManager(WalWriter wal, BufferPool pool, ResourceManagerRegistry rms, Durability defaultDurability,
      long firstTxnId, long fpiHorizon, MemoryManager memory) {
    if (firstTxnId < 1) throw new IllegalArgumentException("transaction ids start at 1: " + firstTxnId);
    this.wal = wal;
    this.pool = pool;
    this.rms = rms;
    this.defaultDurability = defaultDurability;
    this.nextTxnId = new AtomicLong(firstTxnId);
    this.fpiHorizon = fpiHorizon;
    this.memory = memory;
  }

  /**
   * Begins a transaction. Nothing is logged yet: its begin record goes to the log with its first change
   * (and it joins the active-transaction table then), so a transaction that changes nothing costs no log
   * space and its commit no fsync.
   */
  public Transaction begin() {
    return new Transaction(this, nextTxnId.getAndIncrement());
  }

  /**
   * Begins a <em>system transaction</em>: an engine's structure change (a B+tree split) that must happen
   * entirely or not at all but belongs to no user transaction and outlives its abort, ARIES' nested top
   * action. Its id is negative (the same counter, negated), which tells recovery to undo it, in place,
   * before any user transaction: the engine holds every page it changes latched until it commits (with
   * {@link Durability#NO_SYNC}: the log's order makes it durable before anything that depends on it), so
   * an unfinished one left pages that no later record touched, and logical undos of user transactions
   * need those pages back in a consistent state.
   */
  public Transaction beginSystem() {
    return new Transaction(this, -nextTxnId.getAndIncrement());
  }

  /**
   * A transaction arena of {@code profile} from the memory manager's pool, confined to the calling thread,
   * for working memory that lives as long as one engine operation's system transaction (a B+tree
   * structure change's page snapshots); the caller closes it when that transaction commits or aborts.
   * Null without a memory manager.
   *
   * @throws org.rustydb.OperationFailedException when the memory budget cannot cover its first chunk
   */
  public TransactionArena acquireArena(TransactionProfile profile) {
    return memory == null ? null : memory.arenas().acquire(profile);
  }

  /** The slab that holds transactions' undo payloads; null without a memory manager. */
  SlabAllocator slab() {
    return memory == null ? null : memory.slab();
  }

  public Durability defaultDurability() {
    return defaultDurability;
  }

  void commit(Transaction t, Durability durability) {
    t.checkActive();
    if (t.lastLsn() == Lsn.NULL) { // changed nothing: nothing to log or to wait for
      finish(t, Transaction.State.COMMITTED);
      return;
    }
    long lsn;
    // Appending the commit record and leaving the table happen under the horizon latch, so a checkpoint's
    // snapshot never lists a transaction whose commit record precedes the checkpoint's begin record
    // (analysis, starting there, would not see the commit and would undo a winner).
    horizonLock.readLock().lock();
    try {
      lsn = wal.commit(new LogRecord.Commit(t.id(), t.lastLsn(), System.currentTimeMillis()), Durability.NO_SYNC);
      table.remove(t);
    } finally {
      horizonLock.readLock().unlock();
    }
    t.committedAt(lsn);
    wal.flush(lsn, durability);
    finish(t, Transaction.State.COMMITTED);
  }

  void abort(Transaction t) {
    t.checkActive();
    if (t.hasRedoOnly()) { // its redo-only updates cannot be undone (see logUpdate)
      throw new IllegalStateException("system transaction " + t.id() + " logged redo-only updates: it must commit");
    }
    if (t.lastLsn() == Lsn.NULL) {
      finish(t, Transaction.State.ABORTED);
      return;
    }
    List<Transaction.Undo> undos = t.undos();
    for (int i = undos.size() - 1; i >= 0; i--) compensate(t, t.id(), t.lastLsn(), undos.get(i).update(t.id()));
    horizonLock.readLock().lock();
    try {
      wal.append(new LogRecord.Abort(t.id(), t.lastLsn()));
      table.remove(t);
    } finally {
      horizonLock.readLock().unlock();
    }
    finish(t, Transaction.State.ABORTED);
  }

  /**
   * Undoes update {@code u} of transaction {@code txnId} with a compensation record whose previous LSN is
   * {@code prevLsn}; returns the compensation record's LSN. Used by abort and by recovery's undo pass.
   */
  public long compensate(long txnId, long prevLsn, LogRecord.Update u) {
    return compensate(null, txnId, prevLsn, u);
  }

  private long compensate(Transaction t, long txnId, long prevLsn, LogRecord.Update u) {
    ResourceManager rm = rms.get(u.rmId());
    if (rm.undoesLogically(u.undo())) {
      Compensator clr = new Compensator(this, t, txnId, prevLsn, u);
      rm.undoLogically(clr, u.pageId(), u.undo());
      return clr.lsn();
    }
    try (WriteGuard g = pool.write(u.pageId())) {
      byte[] clr = rm.compensation(g, u.undo());
      return log(t, g, rm, new LogRecord.Compensation(txnId, prevLsn, u.rmId(), u.pageId(), u.prevLsn(), clr), clr, null);
    }
  }

  /** Logs and applies a compensation record built by a logical undo ({@link Compensator#log}). */
  long logCompensation(Transaction t, WriteGuard page, LogRecord.Compensation clr) {
    return log(t, page, rms.get(clr.rmId()), clr, clr.redo(), null);
  }

  private void finish(Transaction t, Transaction.State s) {
    t.end(s);
    locks.releaseAll(t);
  }

  /**
   * Logs a change by {@code txn} to the page under {@code page}, applies it through the engine and returns
   * its LSN (see the class comment). An empty {@code undo} makes a <em>redo-only</em> update, for system
   * transactions only: the caller keeps the page latched until it has committed (inside
   * {@link #withoutCheckpoint}) and then raises the page's LSN to the commit record's
   * ({@link Transaction#commitLsn}), so the page reaches the disk only once the commit is durable: the
   * change is on disk whole or not at all and needs no undo. Recovery redoes such an update only if its
   * transaction committed (an unfinished one's reached no page), and the transaction cannot abort once it
   * logged one. Half the log of a change that rewrites whole pages (a B+tree split) was its undo.
   *
   * @throws IllegalArgumentException for a redo-only update by a user transaction
   */
  public long logUpdate(Transaction txn, WriteGuard page, int rmId, byte[] redo, byte[] undo) {
    txn.checkActive();
    ResourceManager rm = rms.get(rmId);
    if (undo.length == 0) return logRedoOnly(txn, page, rm, rmId, redo);
    beginLogging(txn);
    Transaction.Undo staged = Transaction.Undo.stage(slab(), txn.lastLsn(), rmId, page.pageId(), undo);
    LogRecord.Update u = new LogRecord.Update(txn.id(), txn.lastLsn(), rmId, page.pageId(), redo, undo);
    try {
      return log(txn, page, rm, u, redo, staged);
    } catch (RuntimeException | Error e) {
      if (!txn.holds(staged)) staged.release(slab()); // failed before it was logged: not kept
      throw e;
    }
  }

  /**
   * Runs {@code logging} (changes and commits) with no checkpoint beginning meanwhile, so that everything it
   * logs falls on one side of the full-page-image horizon: a system transaction that logs redo-only
   * updates raises its pages' LSNs to its commit record's, which must not pass a horizon its updates did not.
   */
  public void withoutCheckpoint(Runnable logging) {
    horizonLock.readLock().lock();
    try {
      logging.run();
    } finally {
      horizonLock.readLock().unlock();
    }
  }

  /** Before a transaction's first record: its begin record and its entry in the table, atomically for a checkpoint. */
  private void beginLogging(Transaction txn) {
    if (txn.firstLsn() != Lsn.NULL) return;
    horizonLock.readLock().lock();
    try {
      txn.begun(wal.append(new LogRecord.Begin(txn.id(), Lsn.NULL)));
      table.add(txn);
    } finally {
      horizonLock.readLock().unlock();
    }
  }

  /** A redo-only update ({@link #logUpdate} with no undo payload). */
  private long logRedoOnly(Transaction txn, WriteGuard page, ResourceManager rm, int rmId, byte[] redo) {
    if (txn.id() > 0) throw new IllegalArgumentException("transaction " + txn.id() + ": only a system transaction logs redo-only updates");
    beginLogging(txn);
    txn.loggedRedoOnly();
    return log(txn, page, rm, new LogRecord.Update(txn.id(), txn.lastLsn(), rmId, page.pageId(), redo, new byte[0]), redo, null);
  }

  /**
   * Logs and applies a change that belongs to no transaction and is never undone (formatting a new page):
   * its record carries transaction id 0.
   */
  public long logSystemUpdate(WriteGuard page, int rmId, byte[] redo) {
    ResourceManager rm = rms.get(rmId);
    return log(null, page, rm, new LogRecord.Update(0, Lsn.NULL, rmId, page.pageId(), redo, new byte[0]), redo, null);
  }

  /** Logs {@code record} and applies it; {@code txn}'s last LSN moves under the latch (see commit). */
  private long log(Transaction txn, WriteGuard page, ResourceManager rm, LogRecord record, byte[] redo,
      Transaction.Undo undoable) {
    long lsn;
    horizonLock.readLock().lock();
    try {
      long pageLsn = page.getLong(PageLayout.LSN_OFFSET);
      if (pageLsn != Lsn.NULL && pageLsn < fpiHorizon && rm.redoReadsPage(redo)) {
        byte[] image = new byte[PageLayout.PAGE_SIZE];
        page.getBytes(0, image, 0, image.length);
        wal.append(new LogRecord.FullPageImage(0, Lsn.NULL, page.pageId(), image));
      }
      lsn = wal.append(record);
      if (txn != null) txn.logged(lsn, undoable);
    } finally {
      horizonLock.readLock().unlock();
    }
    rm.redo(page, redo, lsn);
    dirtyPages.changed(page.pageId(), lsn);
    return lsn;
  }

  /** A checkpoint's start: its begin record's LSN and the active transactions as of that record. */
  public record CheckpointStart(long lsn, List<TransactionTable.Entry> active) {}

  /**
   * Appends a checkpoint's begin record (time {@code timestampMillis}, and the next transaction id: a
   * high-water mark that keeps ids growing across restarts, see {@link LogRecord.CheckpointBegin}), moves
   * the full-page-image horizon to it and snapshots the active transactions, with no change, commit or
   * abort being logged meanwhile (a short exclusive latch).
   */
  public CheckpointStart beginCheckpoint(long timestampMillis) {
    horizonLock.writeLock().lock();
    try {
      // Read under the latch: an id handed out after this read logs its first record after the latch, so
      // after this begin record, where recovery's analysis starts and sees it.
      long lsn = wal.append(new LogRecord.CheckpointBegin(timestampMillis, nextTxnId.get()));
      fpiHorizon = lsn;
      return new CheckpointStart(lsn, table.snapshot());
    } finally {
      horizonLock.writeLock().unlock();
    }
  }

  public long fpiHorizon() {
    return fpiHorizon;
  }

  public LockManager locks() {
    return locks;
  }

  public TransactionTable table() {
    return table;
  }

  public DirtyPageTable dirtyPages() {
    return dirtyPages;
  }

  public ResourceManagerRegistry registry() {
    return rms;
  }

  public WalWriter wal() {
    return wal;
  }

  public BufferPool pool() {
    return pool;
  }
}
