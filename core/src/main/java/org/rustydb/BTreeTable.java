package org.rustydb;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;
import org.rustydb.engine.btree.BTree;
import org.rustydb.engine.btree.BTreeCursor;
import org.rustydb.engine.btree.BTreeNodeLayout;
import org.rustydb.txn.Transaction;

/**
 * A {@link Table} on a {@link BTree} in its own page file. It adds what the tree does not know about:
 * auto-commit, the database being closed and the table being dropped.
 *
 * <p><b>Dropping under use.</b> Every operation (and every cursor step) holds this table's drop lock in read
 * mode for its duration; {@link Database#dropTable} takes it in write mode, so a drop waits for operations
 * in flight and every later use of this handle fails with "table X was dropped". The lock is a
 * {@link StampedLock}: one CAS to enter and one to leave, no per-thread bookkeeping.
 *
 * <p><b>Writers still active.</b> A drop must not delete the file while a transaction that changed it can
 * still abort (its undo would need the pages), so explicit transactions that wrote here are remembered
 * (weakly: ended ones are simply forgotten) and the drop refuses while one of them is active.
 */
final class BTreeTable implements Table {

  private final Database db;
  private final String name;
  private final int fileId;
  private final BTree tree;
  private final StampedLock dropLock = new StampedLock();
  private final Set<Transaction> writers = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private volatile boolean dropped;

  BTreeTable(Database db, String name, int fileId, BTree tree) {
    this.db = db;
    this.name = name;
    this.fileId = fileId;
    this.tree = tree;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public EngineKind engine() {
    return EngineKind.BTREE;
  }

  @Override
  public int maxKeySize() {
    return BTreeNodeLayout.MAX_KEY_SIZE;
  }

  @Override
  public int maxValueSize() {
    return BTreeNodeLayout.MAX_VALUE_SIZE;
  }

  int fileId() {
    return fileId;
  }

  BTree tree() {
    return tree;
  }

  // ------------------------------------------------------------------ operations

  @Override
  public byte[] get(byte[] key) {
    long stamp = enter();
    try {
      return tree.get(key);
    } finally {
      dropLock.unlockRead(stamp);
    }
  }

  @Override
  public byte[] get(Transaction txn, byte[] key) {
    long stamp = enter();
    try {
      txn.checkActive();
      return tree.get(txn, key);
    } finally {
      dropLock.unlockRead(stamp);
    }
  }

  @Override
  public boolean put(byte[] key, byte[] value) {
    return autoCommit(txn -> tree.put(txn, key, value));
  }

  @Override
  public boolean put(Transaction txn, byte[] key, byte[] value) {
    long stamp = enter();
    try {
      txn.checkActive();
      writers.add(txn);
      return tree.put(txn, key, value);
    } finally {
      dropLock.unlockRead(stamp);
    }
  }

  @Override
  public boolean delete(byte[] key) {
    return autoCommit(txn -> tree.delete(txn, key));
  }

  @Override
  public boolean delete(Transaction txn, byte[] key) {
    long stamp = enter();
    try {
      txn.checkActive();
      writers.add(txn);
      return tree.delete(txn, key);
    } finally {
      dropLock.unlockRead(stamp);
    }
  }

  @Override
  public Cursor scan(byte[] from, byte[] to) {
    return cursor(null, from, to, false);
  }

  @Override
  public Cursor scan(Transaction txn, byte[] from, byte[] to) {
    return cursor(txn, from, to, false);
  }

  @Override
  public Cursor scanDescending(byte[] from, byte[] to) {
    return cursor(null, from, to, true);
  }

  @Override
  public Cursor scanDescending(Transaction txn, byte[] from, byte[] to) {
    return cursor(txn, from, to, true);
  }

  private Cursor cursor(Transaction txn, byte[] from, byte[] to, boolean descending) {
    long stamp = enter();
    try {
      if (txn != null) txn.checkActive();
      return new TableCursor(tree.cursor(txn, from, to, descending));
    } finally {
      dropLock.unlockRead(stamp);
    }
  }

  /**
   * Begin, op, commit with the default durability; abort (and rethrow) if the op fails. A write conflict
   * (another transaction holds the key) is retried, backing off, for up to {@link #CONFLICT_RETRY_NANOS}:
   * the holder of a hot key is usually another auto-committed operation a few microseconds (or one fsync)
   * from its end, and a caller of a single operation expects it to wait, not to fail.
   */
  private boolean autoCommit(Function<Transaction, Boolean> op) {
    long stamp = enter();
    try {
      long deadline = System.nanoTime() + CONFLICT_RETRY_NANOS;
      for (int attempt = 0; ; attempt++) {
        Transaction txn = db.begin();
        boolean result;
        try {
          result = op.apply(txn);
        } catch (RuntimeException | Error e) {
          try {
            txn.abort();
          } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
          if (e instanceof WriteConflictException && System.nanoTime() < deadline) {
            backOff(attempt);
            continue;
          }
          throw e;
        }
        txn.commit();
        return result;
      }
    } finally {
      dropLock.unlockRead(stamp);
    }
  }

  static final long CONFLICT_RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  private static void backOff(int attempt) {
    if (attempt < 8) {
      Thread.onSpinWait();
    } else if (attempt < 64) {
      Thread.yield();
    } else {
      java.util.concurrent.locks.LockSupport.parkNanos(Math.min(1_000_000L, 10_000L << Math.min(attempt - 64, 6)));
    }
  }

  /** Takes the drop lock shared and checks that the table and the database are still usable. */
  private long enter() {
    long stamp = dropLock.readLock();
    try {
      checkUsable();
      return stamp;
    } catch (RuntimeException e) {
      dropLock.unlockRead(stamp);
      throw e;
    }
  }

  private void checkUsable() {
    if (dropped) throw new OperationFailedException("table " + name + " was dropped");
    db.checkUsable();
  }

  // ------------------------------------------------------------------ dropping (Database.dropTable)

  /**
   * Waits for operations in flight and blocks new ones; returns the stamp for {@link #endDrop}.
   *
   * @throws OperationFailedException (lock released) when a transaction that changed the table is active
   */
  long beginDrop() {
    long stamp = dropLock.writeLock();
    try {
      if (dropped) throw new OperationFailedException("table " + name + " was dropped");
      synchronized (writers) {
        for (Transaction t : writers) {
          if (t.state() == Transaction.State.ACTIVE) {
            throw new OperationFailedException("cannot drop table " + name + ": transaction " + t.id()
                + " changed it and is still active; commit or abort it first");
          }
        }
      }
      return stamp;
    } catch (RuntimeException e) {
      dropLock.unlockWrite(stamp);
      throw e;
    }
  }

  /** Ends a drop: marks the handle dropped if it succeeded, and lets waiting operations fail or go on. */
  void endDrop(long stamp, boolean succeeded) {
    if (succeeded) dropped = true;
    dropLock.unlockWrite(stamp);
  }

  @Override
  public String toString() {
    return "Table[" + name + ", " + EngineKind.BTREE.catalogName() + ", file id " + fileId + (dropped ? ", dropped" : "") + "]";
  }

  /** A {@link Cursor} over a {@link BTreeCursor} that fails clearly once the table is dropped. */
  private final class TableCursor implements Cursor {
    private final BTreeCursor inner;

    TableCursor(BTreeCursor inner) {
      this.inner = inner;
    }

    /**
     * Takes the drop lock only when the cursor must read the tree: entries already copied out are handed on
     * without it (a shared lock's atomic write per entry, on a word every thread of the table writes, was a
     * tenth of a scan's time), after the same checks.
     */
    @Override
    public boolean next() {
      if (inner.hasBuffered()) {
        checkUsable();
        return inner.next();
      }
      long stamp = enter();
      try {
        return inner.next();
      } finally {
        dropLock.unlockRead(stamp);
      }
    }

    @Override
    public byte[] key() {
      return inner.key();
    }

    @Override
    public byte[] value() {
      return inner.value();
    }

    @Override
    public Cursor limit(long n) {
      inner.limit(n);
      return this;
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
