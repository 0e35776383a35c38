package org.rustydb.recovery;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.rustydb.CorruptionException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageLayout;
import org.rustydb.txn.ResourceManager;
import org.rustydb.txn.ResourceManagerRegistry;
import org.rustydb.txn.TransactionManager;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.Lsn;
import org.rustydb.wal.WalReader;
import org.rustydb.wal.WalWriter;

/**
 * ARIES crash recovery, run on every open before any transaction.
 *
 * <ol>
 *   <li><b>Analysis</b> reads from the last checkpoint's begin record (the control file names it; the log's
 *       first record when there is none) to the end: the transactions that began and never committed or
 *       aborted are the <em>losers</em>, with their last LSNs (the checkpoint's active-transaction table
 *       supplies those that logged nothing since). It also finds the largest transaction id.</li>
 *   <li><b>Redo</b> repeats history from the redo start LSN: every update and compensation record is applied
 *       to its page when the page LSN is older (page-LSN guarded, so applying twice is harmless), and every
 *       full-page image is restored (the page may be torn on disk: it is rebuilt without being read), except
 *       the redo-only updates of unfinished system transactions (none of their pages reached the disk; see
 *       {@link TransactionManager#logUpdate}). A page a record names past the end of its file (allocated after the file header was last synced) is
 *       allocated first: the heap never frees pages, so allocation is the next page.</li>
 *   <li><b>Undo</b> rolls back each loser newest record first (unfinished system transactions, the
 *       engines' structure changes, before the others), writing a compensation record per undone
 *       update whose undo-next LSN skips it, and ends each with an abort record. A crash here is harmless:
 *       the next recovery redoes the compensation records and continues from their undo-next LSNs.</li>
 * </ol>
 * The caller makes the result durable with a checkpoint.
 */
public final class RecoveryManager {

  private static final System.Logger LOG = System.getLogger(RecoveryManager.class.getName());

  private final Path walDir;
  private final WalWriter wal;
  private final DiskManager disk;
  private final BufferPool pool;
  private final ResourceManagerRegistry rms;
  private final LongConsumer progress;

  private long bytesRead;
  private long recordsRead;

  /**
   * @param progress called with each record's LSN after redo applied it and after undo compensated it (a
   *     test hook: tests crash recovery from it); {@code lsn -> {}} for none
   */
  public RecoveryManager(WalWriter wal, DiskManager disk, BufferPool pool, ResourceManagerRegistry rms,
      LongConsumer progress) {
    this.walDir = wal.walDir();
    this.wal = wal;
    this.disk = disk;
    this.pool = pool;
    this.rms = rms;
    this.progress = progress;
  }

  /** The result: the report and the transaction manager made once the next transaction id was known. */
  public record Result(RecoveryReport report, TransactionManager transactions) {}

  /**
   * Recovers from checkpoint {@code checkpointLsn} (0 = none) and redo start {@code redoStartLsn}.
   *
   * @param makeTransactions makes the transaction manager given the first free transaction id
   */
  public Result recover(long checkpointLsn, long redoStartLsn, LongFunction<TransactionManager> makeTransactions) {
    long start = System.nanoTime();
    try (WalReader reader = WalReader.open(walDir)) {
      long first = reader.firstLsn();
      long analysisStart = checkpointLsn == Lsn.NULL ? first : checkpointLsn;
      long redoStart = redoStartLsn == Lsn.NULL ? first : redoStartLsn;
      Map<Long, Long> losers = new HashMap<>();
      long maxTxn = analysis(reader, analysisStart, checkpointLsn, losers);
      long end = reader.endLsn();
      long[] redoCounts = redo(reader, redoStart, losers);
      TransactionManager tm = makeTransactions.apply(maxTxn + 1);
      long undone = undo(reader, losers, tm);
      wal.flushAll();
      RecoveryReport report = new RecoveryReport(java.time.Duration.ofNanos(System.nanoTime() - start), bytesRead,
          recordsRead, redoStart, end, redoCounts[0], redoCounts[1], losers.size(), undone);
      LOG.log(System.Logger.Level.INFO, "{0}", report);
      return new Result(report, tm);
    }
  }

  private long analysis(WalReader reader, long from, long checkpointLsn, Map<Long, Long> active) {
    reader.seek(from);
    long base = reader.bytesRead();
    Set<Long> ended = new HashSet<>();
    long maxTxn = 0;
    while (reader.next()) {
      recordsRead++;
      long lsn = reader.lsn();
      LogRecord r = reader.record();
      long txn = r.txnId();
      if (txn != 0) {
        maxTxn = Math.max(maxTxn, Math.abs(txn)); // system transactions have negated ids
        if (r instanceof LogRecord.Commit || r instanceof LogRecord.Abort) {
          active.remove(txn);
          ended.add(txn);
        } else {
          active.put(txn, lsn);
        }
      }
      if (r instanceof LogRecord.CheckpointBegin cb && cb.nextTxnId() > 0) {
        maxTxn = Math.max(maxTxn, cb.nextTxnId() - 1); // ids used in records before it, recycled or not
      }
      if (r instanceof LogRecord.CheckpointEnd ce && ce.beginLsn() == checkpointLsn) {
        long[] ids = ce.activeTxnIds();
        long[] lasts = ce.activeTxnLastLsns();
        for (int i = 0; i < ids.length; i++) {
          maxTxn = Math.max(maxTxn, Math.abs(ids[i]));
          if (!ended.contains(ids[i])) active.merge(ids[i], lasts[i], Math::max);
        }
      }
    }
    bytesRead += reader.bytesRead() - base;
    return maxTxn;
  }

  /**
   * Returns {records redone, page images restored}. A loser's redo-only update (a system transaction's, no
   * undo payload: {@link TransactionManager#logUpdate}) is not redone: its pages reached the disk only
   * after its commit, which never came, so none holds it, and there is no undo to take it back.
   */
  private long[] redo(WalReader reader, long from, Map<Long, Long> losers) {
    reader.seek(from);
    long base = reader.bytesRead();
    long redone = 0;
    long images = 0;
    while (reader.next()) {
      recordsRead++;
      long lsn = reader.lsn();
      switch (reader.record()) {
        case LogRecord.Update u -> {
          if (isRedoOnly(u) && losers.containsKey(u.txnId())) continue;
          if (apply(u.rmId(), u.pageId(), u.redo(), lsn)) redone++;
        }
        case LogRecord.Compensation c -> {
          if (apply(c.rmId(), c.pageId(), c.redo(), lsn)) redone++;
        }
        case LogRecord.FullPageImage f -> {
          ensurePage(f.pageId());
          try (WriteGuard g = pool.overwrite(f.pageId())) {
            byte[] image = f.image();
            g.putBytes(0, image, 0, image.length);
            g.setLong(PageLayout.LSN_OFFSET, lsn);
          }
          images++;
        }
        default -> {
          continue;
        }
      }
      progress.accept(lsn);
    }
    bytesRead += reader.bytesRead() - base;
    return new long[] {redone, images};
  }

  private static boolean isRedoOnly(LogRecord.Update u) {
    return u.txnId() < 0 && u.undo().length == 0;
  }

  private boolean apply(int rmId, long pageId, byte[] redo, long lsn) {
    ResourceManager rm = rms.get(rmId);
    ensurePage(pageId);
    try (WriteGuard g = latch(rm, pageId, redo)) {
      if (g.getLong(PageLayout.LSN_OFFSET) >= lsn) return false;
      rm.redo(g, redo, lsn);
      return true;
    }
  }

  private WriteGuard latch(ResourceManager rm, long pageId, byte[] redo) {
    if (rm.redoReadsPage(redo)) return pool.write(pageId);
    try {
      return pool.write(pageId);
    } catch (CorruptionException torn) {
      // The record rebuilds the whole page: a torn copy on disk does not matter.
      return pool.overwrite(pageId);
    }
  }

  /** Allocates pages until {@code pageId} exists in its file (it was allocated after the last header sync). */
  private void ensurePage(long pageId) {
    int fileId = PageId.fileId(pageId);
    long pageNo = PageId.pageNo(pageId);
    long count = disk.pageCount(fileId);
    while (count <= pageNo) {
      long got = disk.allocatePage(fileId);
      if (PageId.pageNo(got) != count) {
        throw new CorruptionException("recovery needs page " + PageId.toString(pageId) + " but file " + fileId
            + " handed out page " + PageId.pageNo(got) + " from its free list");
      }
      count = disk.pageCount(fileId);
    }
  }

  private long undo(WalReader reader, Map<Long, Long> losers, TransactionManager tm) {
    long base = reader.bytesRead();
    long undone = 0;
    // Unfinished system transactions (negative ids) first: their pages go back to a consistent structure
    // before user transactions undo logically through it (TransactionManager.beginSystem).
    java.util.List<Map.Entry<Long, Long>> order = new java.util.ArrayList<>(losers.entrySet());
    order.sort(java.util.Comparator.comparing(e -> e.getKey() > 0));
    for (var e : order) {
      long txn = e.getKey();
      long prev = e.getValue(); // the chain's newest record: new compensation records link after it
      long next = prev;
      while (next != Lsn.NULL) {
        reader.seek(next);
        if (!reader.next()) {
          throw new CorruptionException(walDir + ": record " + Lsn.toString(next) + " of transaction " + txn
              + " to undo is past the end of the log");
        }
        recordsRead++;
        LogRecord r = reader.record();
        if (r.txnId() != txn) {
          throw new CorruptionException(walDir + ": record " + Lsn.toString(next) + " belongs to transaction "
              + r.txnId() + ", not " + txn + " whose chain leads there");
        }
        switch (r) {
          case LogRecord.Update u -> {
            if (!isRedoOnly(u)) { // a redo-only update was not redone: nothing to take back
              prev = tm.compensate(txn, prev, u);
              undone++;
              progress.accept(prev);
            }
            next = u.prevLsn();
          }
          case LogRecord.Compensation c -> next = c.undoNextLsn();
          case LogRecord.Begin b -> next = Lsn.NULL;
          default -> next = r.prevLsn();
        }
      }
      wal.append(new LogRecord.Abort(txn, prev));
    }
    bytesRead += reader.bytesRead() - base;
    return undone;
  }
}
