package org.rustydb.recovery;

import java.util.List;
import java.util.Map;
import org.rustydb.buffer.BufferPool;
import org.rustydb.disk.ControlFile;
import org.rustydb.disk.DatabaseState;
import org.rustydb.disk.DiskManager;
import org.rustydb.io.IoPriority;
import org.rustydb.io.IoScheduler;
import org.rustydb.txn.TransactionManager;
import org.rustydb.txn.TransactionTable;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.LogRecordCodec;
import org.rustydb.wal.LogRecordLayout;
import org.rustydb.wal.WalWriter;

/**
 * Fuzzy checkpoints, and the owner of the control file's contents while the database is open.
 *
 * <p>A checkpoint: (1) appends a begin record B and moves the full-page-image horizon to B (under a latch
 * that only keeps changes from being logged during that append); (2) snapshots the active transaction
 * table and the dirty page table; (3) writes every dirty page through the pool at I/O priority HIGH (each under its own latch
 * for the moment of the copy, obeying the write-ahead rule) and syncs every data file (page data, then
 * the file headers with their page counts); (4) appends the end record with both tables and makes it
 * durable; (5) replaces the control file atomically with checkpoint LSN = redo start LSN = B; (6) lets the
 * WAL recycle the segments before both B and the oldest active transaction's first record (undo may need
 * those). Transactions run throughout. Every change logged before B is on disk after step 3, so redo may
 * start at B; a page torn while being written in step 3 was changed after the previous checkpoint's
 * begin, which still names the redo start until step 5, and carries a full-page image after it.
 */
public final class Checkpointer {

  private final TransactionManager tm;
  private final WalWriter wal;
  private final BufferPool pool;
  private final DiskManager disk;
  private final ControlFile control;
  private ControlFile.Contents contents;
  private long checkpoints;

  public Checkpointer(TransactionManager tm, DiskManager disk, ControlFile control, ControlFile.Contents contents) {
    this.tm = tm;
    this.wal = tm.wal();
    this.pool = tm.pool();
    this.disk = disk;
    this.control = control;
    this.contents = contents;
  }

  /** Takes a checkpoint (see the class comment) and returns its begin LSN. One at a time. */
  public synchronized long checkpoint() {
    TransactionManager.CheckpointStart start = tm.beginCheckpoint(System.currentTimeMillis());
    long begin = start.lsn();
    List<TransactionTable.Entry> active = start.active();
    Map<Long, Long> dirty = tm.dirtyPages().snapshot();
    // The spec's checkpoint priority: every page write and sync below, however deep, runs at HIGH (the
    // WAL flushes the write-ahead rule asks for keep their own lane).
    IoScheduler.runAt(IoPriority.HIGH, () -> {
      pool.flushAll();
      disk.syncAll();
    });
    tm.dirtyPages().cleanBefore(begin, dirty);
    long[] txnIds = active.stream().mapToLong(TransactionTable.Entry::txnId).toArray();
    long[] lastLsns = active.stream().mapToLong(TransactionTable.Entry::lastLsn).toArray();
    long end = wal.append(endRecord(begin, dirty, txnIds, lastLsns, wal.maxRecordSize()));
    wal.flushUpTo(end);
    write(contents.withCheckpoint(begin, begin).withState(DatabaseState.IN_PRODUCTION));
    long keep = begin;
    for (TransactionTable.Entry e : active) keep = Math.min(keep, e.firstLsn());
    keep = Math.min(keep, tm.table().oldestFirstLsn());
    wal.recycleBefore(keep);
    checkpoints++;
    return begin;
  }

  /**
   * The checkpoint's end record: the active transactions (analysis needs them all) and the dirty-page
   * table as of its begin, oldest recovery LSNs first and as much of it as fits in one record of at most
   * {@code maxRecordSize} bytes. Recovery does not read that table (every page in it was written before
   * this record, and redo starts at the begin LSN the control file then names), so a pool of more than
   * ~65,000 dirty pages, whose table passed the log's largest record and made every checkpoint (and
   * {@code close}) fail, now logs its oldest part for inspection.
   */
  static LogRecord.CheckpointEnd endRecord(long begin, Map<Long, Long> dirty, long[] txnIds, long[] lastLsns,
      int maxRecordSize) {
    var byAge = new java.util.ArrayList<>(dirty.entrySet());
    byAge.sort(Map.Entry.comparingByValue());
    LogRecord.CheckpointEnd empty = new LogRecord.CheckpointEnd(begin, new long[0], new long[0], txnIds, lastLsns);
    int room = (maxRecordSize - LogRecordCodec.size(empty)) / LogRecordLayout.CHECKPOINT_END_ENTRY;
    int n = Math.max(0, Math.min(byAge.size(), room));
    long[] pageIds = new long[n];
    long[] recLsns = new long[n];
    for (int i = 0; i < n; i++) {
      pageIds[i] = byAge.get(i).getKey();
      recLsns[i] = byAge.get(i).getValue();
    }
    return new LogRecord.CheckpointEnd(begin, pageIds, recLsns, txnIds, lastLsns);
  }

  /** Records {@code state} in the control file (atomically, with its copy). */
  public synchronized void setState(DatabaseState state) {
    write(contents.withState(state));
  }

  private void write(ControlFile.Contents c) {
    control.write(c);
    contents = c;
  }

  public synchronized ControlFile.Contents contents() {
    return contents;
  }

  /** Checkpoints taken by this checkpointer. */
  public synchronized long count() {
    return checkpoints;
  }
}
