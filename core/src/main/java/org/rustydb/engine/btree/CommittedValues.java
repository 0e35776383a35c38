package org.rustydb.engine.btree;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.rustydb.txn.Transaction;

/**
 * The committed value of every key of one tree that an active transaction has changed: what readers see
 * instead of the uncommitted value in the leaf (read committed, with no reader ever waiting for a writer).
 *
 * <p>A writer remembers the key's value before its transaction first changed it (null if the key was
 * absent), under the exclusive latch of the page it changes and before releasing it; the entry goes when
 * the transaction ends, after a rollback has put the old value back and before its key lock is released
 * ({@link Transaction#onEnd}). A reader that looks here while holding a latch on the page its value came
 * from therefore sees the entry of every transaction whose change it could have read: either the change is
 * not there yet and neither is the entry, or the entry is there, or the transaction has committed (the
 * value is committed) or rolled back (which needs the page's exclusive latch, so it happened before the
 * read). Keys an active transaction deleted are only here, not in any leaf: scans add them back
 * ({@link #addDeleted}). A transaction sees its own changes: its entries are ignored for it.
 *
 * <p>Ordered by key (unsigned bytes) so that a scan finds the deleted keys between two leaf keys. It holds
 * only what active transactions changed, so it is usually empty or tiny; a reader pays one emptiness test
 * when it is empty.
 */
final class CommittedValues {

  /** The value of a key before transaction {@code txnId} first changed it; null when the key was absent. */
  record Before(long txnId, byte[] value) {}

  private final ConcurrentSkipListMap<byte[], Before> befores = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

  /**
   * Remembers that {@code txn} is changing {@code key}, whose committed value is {@code value} (null:
   * absent), unless it already changed it. Call holding the key's lock and the changed page's exclusive
   * latch.
   */
  void remember(Transaction txn, byte[] key, byte[] value) {
    byte[] k = key.clone(); // the caller's array may change after the operation returns
    Before b = new Before(txn.id(), value);
    if (befores.putIfAbsent(k, b) == null) txn.onEnd(() -> befores.remove(k, b));
  }

  boolean isEmpty() {
    return befores.isEmpty();
  }

  /** The entry of a transaction other than {@code reader} (null: auto-commit) for {@code key}, or null. */
  Before of(byte[] key, Transaction reader) {
    if (befores.isEmpty()) return null;
    Before b = befores.get(key);
    return b == null || (reader != null && b.txnId() == reader.id()) ? null : b;
  }

  /**
   * Adds to {@code keys}/{@code values} the keys that transactions other than {@code reader} deleted (so
   * they are in no leaf) and whose committed value exists, from {@code pos} towards {@code bound} in scan
   * order (ascending, or descending when {@code descending}); each bound counts only when its flag says so,
   * and a null bound is open. Stops at {@code max} entries in the lists. Call holding latches on the leaves
   * whose key ranges cover the interval.
   */
  void addDeleted(byte[] pos, boolean posInclusive, byte[] bound, boolean boundInclusive, boolean descending,
      Transaction reader, List<byte[]> keys, List<byte[]> values, int max) {
    if (befores.isEmpty() || keys.size() >= max) return;
    if (pos != null && bound != null) {
      int c = Arrays.compareUnsigned(pos, bound);
      if (descending ? c < 0 : c > 0) return;
      if (c == 0 && !(posInclusive && boundInclusive)) return;
    }
    NavigableMap<byte[], Before> range = befores;
    if (descending) {
      if (pos != null) range = range.headMap(pos, posInclusive);
      if (bound != null) range = range.tailMap(bound, boundInclusive);
      range = range.descendingMap();
    } else {
      if (pos != null) range = range.tailMap(pos, posInclusive);
      if (bound != null) range = range.headMap(bound, boundInclusive);
    }
    for (Map.Entry<byte[], Before> e : range.entrySet()) {
      if (keys.size() >= max) return;
      Before b = e.getValue();
      if (b.value() == null || (reader != null && b.txnId() == reader.id())) continue;
      keys.add(e.getKey()); // never changed here: the cursor hands out copies
      values.add(b.value().clone()); // the cursor hands its values out: never the remembered one
    }
  }

  /** Number of keys active transactions have changed (tests). */
  int size() {
    return befores.size();
  }
}
