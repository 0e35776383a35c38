package org.rustydb.wal;

import java.util.Arrays;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageLayout;

/**
 * A record of the write-ahead log. Every record carries the id of the transaction that wrote it (0 for
 * none) and the LSN of that transaction's previous record ({@link Lsn#NULL} for its first), which chains a
 * transaction's records backward for undo, as in ARIES. The byte format is {@link LogRecordLayout};
 * {@link LogRecordCodec} turns records into bytes and back.
 *
 * <p>The generic set here is what transactions, checkpoints and torn-page protection need. The data
 * layer's own changes travel as opaque {@link Update} and {@link Compensation} records: the resource
 * manager id routes them to the engine that knows how to redo and undo them.
 */
public sealed interface LogRecord {

  LogRecordType type();

  /** The writing transaction, 0 for records that belong to none. */
  long txnId();

  /** The LSN of the same transaction's previous record, or {@link Lsn#NULL}. */
  long prevLsn();

  /** One line for {@code rustydb inspect wal}: the payload's fields, without the header's. */
  String summary();

  /** A transaction started. */
  record Begin(long txnId, long prevLsn) implements LogRecord {
    public LogRecordType type() { return LogRecordType.BEGIN; }
    public String summary() { return ""; }
  }

  /** A transaction committed; its changes must survive. */
  record Commit(long txnId, long prevLsn, long timestampMillis) implements LogRecord {
    public LogRecordType type() { return LogRecordType.COMMIT; }
    public String summary() { return "time=" + java.time.Instant.ofEpochMilli(timestampMillis); }
  }

  /** A transaction finished rolling back: all its changes are undone (and their CLRs logged). */
  record Abort(long txnId, long prevLsn) implements LogRecord {
    public LogRecordType type() { return LogRecordType.ABORT; }
    public String summary() { return ""; }
  }

  /**
   * A change to one page by resource manager {@code rmId} (an engine: heap, btree ...): {@code redo}
   * reapplies it, {@code undo} reverses it. Both are opaque to the log.
   */
  record Update(long txnId, long prevLsn, int rmId, long pageId, byte[] redo, byte[] undo) implements LogRecord {
    public Update {
      checkRmId(rmId);
      redo = redo.clone();
      undo = undo.clone();
    }

    public LogRecordType type() { return LogRecordType.UPDATE; }

    public byte[] redo() { return redo.clone(); }

    public byte[] undo() { return undo.clone(); }

    int redoLength() { return redo.length; }

    int undoLength() { return undo.length; }

    byte[] redoArray() { return redo; }

    byte[] undoArray() { return undo; }

    public String summary() {
      return "rm=" + rmId + " page=" + PageId.toString(pageId) + " redo=" + redo.length + "B undo=" + undo.length + "B";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Update u && u.txnId == txnId && u.prevLsn == prevLsn && u.rmId == rmId
          && u.pageId == pageId && Arrays.equals(u.redo, redo) && Arrays.equals(u.undo, undo);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(txnId * 31 + prevLsn) * 31 + Long.hashCode(pageId) + Arrays.hashCode(redo) ^ Arrays.hashCode(undo);
    }

    @Override
    public String toString() {
      return "Update[txn=" + txnId + ", prevLsn=" + Lsn.toString(prevLsn) + ", " + summary() + "]";
    }
  }

  /**
   * A compensation log record (CLR): the redo-only record of undoing one change during rollback or
   * recovery. {@code undoNextLsn} is the next record of the transaction still to undo, so a crash during
   * undo never undoes the same change twice.
   */
  record Compensation(long txnId, long prevLsn, int rmId, long pageId, long undoNextLsn, byte[] redo)
      implements LogRecord {
    public Compensation {
      checkRmId(rmId);
      redo = redo.clone();
    }

    public LogRecordType type() { return LogRecordType.COMPENSATION; }

    public byte[] redo() { return redo.clone(); }

    byte[] redoArray() { return redo; }

    public String summary() {
      return "rm=" + rmId + " page=" + PageId.toString(pageId) + " undoNext=" + Lsn.toString(undoNextLsn)
          + " redo=" + redo.length + "B";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Compensation c && c.txnId == txnId && c.prevLsn == prevLsn && c.rmId == rmId
          && c.pageId == pageId && c.undoNextLsn == undoNextLsn && Arrays.equals(c.redo, redo);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(txnId * 31 + prevLsn) * 31 + Long.hashCode(pageId ^ undoNextLsn) + Arrays.hashCode(redo);
    }

    @Override
    public String toString() {
      return "Compensation[txn=" + txnId + ", prevLsn=" + Lsn.toString(prevLsn) + ", " + summary() + "]";
    }
  }

  /**
   * A whole page as it was after a change: logged on the first change to a page after a checkpoint, so
   * recovery can restore a page torn by a crash mid-write (PostgreSQL's full_page_writes).
   */
  record FullPageImage(long txnId, long prevLsn, long pageId, byte[] image) implements LogRecord {
    public FullPageImage {
      if (image.length != PageLayout.PAGE_SIZE) {
        throw new IllegalArgumentException("a page image is " + PageLayout.PAGE_SIZE + " bytes, not " + image.length);
      }
      image = image.clone();
    }

    public LogRecordType type() { return LogRecordType.FULL_PAGE_IMAGE; }

    public byte[] image() { return image.clone(); }

    byte[] imageArray() { return image; }

    public String summary() { return "page=" + PageId.toString(pageId); }

    @Override
    public boolean equals(Object o) {
      return o instanceof FullPageImage f && f.txnId == txnId && f.prevLsn == prevLsn && f.pageId == pageId
          && Arrays.equals(f.image, image);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(txnId * 31 + prevLsn) * 31 + Long.hashCode(pageId) + Arrays.hashCode(image);
    }

    @Override
    public String toString() {
      return "FullPageImage[txn=" + txnId + ", prevLsn=" + Lsn.toString(prevLsn) + ", " + summary() + "]";
    }
  }

  /** A fuzzy checkpoint started: redo may have to start no later than here. */
  /**
   * A checkpoint's start. {@code nextTxnId} is the transaction id counter when it was logged: every id
   * used anywhere in the log before it is smaller, so recovery, whose analysis starts here, never hands
   * out an id again even when the records that used it were recycled (0 in records logged before the
   * field existed, which carry only the timestamp).
   */
  record CheckpointBegin(long timestampMillis, long nextTxnId) implements LogRecord {
    public CheckpointBegin {
      if (nextTxnId < 0) throw new IllegalArgumentException("negative next transaction id: " + nextTxnId);
    }

    public LogRecordType type() { return LogRecordType.CHECKPOINT_BEGIN; }
    public long txnId() { return 0; }
    public long prevLsn() { return Lsn.NULL; }
    public String summary() { return "time=" + java.time.Instant.ofEpochMilli(timestampMillis) + " next_txn=" + nextTxnId; }
  }

  /**
   * A fuzzy checkpoint finished: the dirty page table (page id, recovery LSN: the first record that may
   * have dirtied it) and the active transaction table (transaction id, its last LSN) as they were at
   * {@code beginLsn}, the checkpoint's {@link CheckpointBegin}. Pairs are kept as parallel arrays of longs.
   */
  record CheckpointEnd(long beginLsn, long[] dirtyPageIds, long[] dirtyRecLsns, long[] activeTxnIds,
      long[] activeTxnLastLsns) implements LogRecord {
    public CheckpointEnd {
      if (dirtyPageIds.length != dirtyRecLsns.length || activeTxnIds.length != activeTxnLastLsns.length) {
        throw new IllegalArgumentException("checkpoint tables need parallel arrays of equal length");
      }
      dirtyPageIds = dirtyPageIds.clone();
      dirtyRecLsns = dirtyRecLsns.clone();
      activeTxnIds = activeTxnIds.clone();
      activeTxnLastLsns = activeTxnLastLsns.clone();
    }

    public LogRecordType type() { return LogRecordType.CHECKPOINT_END; }
    public long txnId() { return 0; }
    public long prevLsn() { return Lsn.NULL; }
    public long[] dirtyPageIds() { return dirtyPageIds.clone(); }
    public long[] dirtyRecLsns() { return dirtyRecLsns.clone(); }
    public long[] activeTxnIds() { return activeTxnIds.clone(); }
    public long[] activeTxnLastLsns() { return activeTxnLastLsns.clone(); }
    int dirtyCount() { return dirtyPageIds.length; }
    int activeCount() { return activeTxnIds.length; }
    long dirtyPageId(int i) { return dirtyPageIds[i]; }
    long dirtyRecLsn(int i) { return dirtyRecLsns[i]; }
    long activeTxnId(int i) { return activeTxnIds[i]; }
    long activeTxnLastLsn(int i) { return activeTxnLastLsns[i]; }

    public String summary() {
      return "begin=" + Lsn.toString(beginLsn) + " dirtyPages=" + dirtyPageIds.length + " activeTxns=" + activeTxnIds.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CheckpointEnd c && c.beginLsn == beginLsn && Arrays.equals(c.dirtyPageIds, dirtyPageIds)
          && Arrays.equals(c.dirtyRecLsns, dirtyRecLsns) && Arrays.equals(c.activeTxnIds, activeTxnIds)
          && Arrays.equals(c.activeTxnLastLsns, activeTxnLastLsns);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(beginLsn) * 31 + Arrays.hashCode(dirtyPageIds) ^ Arrays.hashCode(activeTxnIds);
    }

    @Override
    public String toString() {
      return "CheckpointEnd[" + summary() + "]";
    }
  }

  /**
   * Written by the log writer, never by callers: the rest of this segment is unused, the log goes on at
   * the next segment's first record. Records never span segments (see {@link LogRecordLayout}).
   */
  record SegmentSwitch() implements LogRecord {
    public LogRecordType type() { return LogRecordType.SEGMENT_SWITCH; }
    public long txnId() { return 0; }
    public long prevLsn() { return Lsn.NULL; }
    public String summary() { return "rest of segment unused"; }
  }

  private static void checkRmId(int rmId) {
    if (rmId < 0 || rmId > 0xFFFF) {
      throw new IllegalArgumentException("resource manager id out of range 0..65535: " + rmId);
    }
  }
}
