package org.rustydb.txn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dirty pages and their recovery LSN (the LSN of the first logged change since the page was last known
 * clean), kept by the logging layer rather than the buffer pool: every logged change goes through
 * {@link TransactionManager}, which records the first one per page here. A checkpoint writes every dirty
 * page and then {@link #cleanBefore}s the table, raising what stays to the checkpoint's start, so the
 * table only ever over-states what redo needs (it is logged in checkpoints for analysis and inspection;
 * redo itself starts at the control file's redo LSN).
 */
public final class DirtyPageTable {

  private final ConcurrentHashMap<Long, Long> recLsns = new ConcurrentHashMap<>();

  void changed(long pageId, long lsn) {
    recLsns.putIfAbsent(pageId, lsn);
  }

  public Map<Long, Long> snapshot() {
    return Map.copyOf(recLsns);
  }

  /**
   * After a checkpoint wrote every page dirtied before {@code lsn}: drops entries whose recovery LSN is
   * older, except pages changed again since the snapshot (their entry is kept at {@code lsn}).
   */
  public void cleanBefore(long lsn, Map<Long, Long> flushed) {
    for (var e : flushed.entrySet()) {
      if (e.getValue() < lsn) recLsns.computeIfPresent(e.getKey(), (k, v) -> v < lsn ? null : v);
    }
  }

  public int size() {
    return recLsns.size();
  }
}
