package org.rustydb.txn;

import org.rustydb.buffer.WriteGuard;
import org.rustydb.wal.LogRecord;

/**
 * The handle through which an engine's logical undo ({@link ResourceManager#undoLogically}) writes the one
 * compensation record that undoes an update: the page it changed and the redo payload of that change. The
 * record's undo-next LSN skips the undone update, as every compensation record does.
 */
public final class Compensator {

  private final TransactionManager manager;
  private final Transaction txn; // null during recovery's undo pass
  private final long txnId;
  private final long prevLsn;
  private final LogRecord.Update undone;
  private long lsn = -1;

  Compensator(TransactionManager manager, Transaction txn, long txnId, long prevLsn, LogRecord.Update undone) {
    this.manager = manager;
    this.txn = txn;
    this.txnId = txnId;
    this.prevLsn = prevLsn;
    this.undone = undone;
  }

  /** The transaction manager, for the engine's own structure changes during the undo. */
  public TransactionManager manager() {
    return manager;
  }

  /**
   * Logs the compensation record for the change {@code redo} (already made or not: the engine's redo must
   * give the same bytes either way) to the latched {@code page}, applies it and returns its LSN.
   *
   * @throws IllegalStateException when called a second time
   */
  public long log(WriteGuard page, byte[] redo) {
    if (lsn != -1) throw new IllegalStateException("a logical undo writes one compensation record");
    lsn = manager.logCompensation(txn, page, new LogRecord.Compensation(txnId, prevLsn, undone.rmId(), page.pageId(),
        undone.prevLsn(), redo));
    return lsn;
  }

  long lsn() {
    if (lsn == -1) {
      throw new IllegalStateException("resource manager " + undone.rmId() + " undid update of page " + undone.pageId()
          + " without logging a compensation record");
    }
    return lsn;
  }
}
