package org.rustydb.txn;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The active transactions by id: what a checkpoint logs and what recovery's undo needs. */
public final class TransactionTable {

  /** One active transaction as a checkpoint sees it. */
  public record Entry(long txnId, long firstLsn, long lastLsn) {}

  private final ConcurrentHashMap<Long, Transaction> active = new ConcurrentHashMap<>();

  void add(Transaction t) {
    active.put(t.id(), t);
  }

  void remove(Transaction t) {
    active.remove(t.id());
  }

  public int size() {
    return active.size();
  }

  /** A snapshot (entries read one after another while transactions run: fuzzy, as a checkpoint wants). */
  public List<Entry> snapshot() {
    Collection<Transaction> ts = active.values();
    return ts.stream().map(t -> new Entry(t.id(), t.firstLsn(), t.lastLsn())).toList();
  }

  /** The smallest first LSN of an active transaction, or {@code Long.MAX_VALUE}: the log undo may still need. */
  public long oldestFirstLsn() {
    long min = Long.MAX_VALUE;
    for (Transaction t : active.values()) min = Math.min(min, t.firstLsn());
    return min;
  }
}
