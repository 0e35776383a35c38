package org.rustydb.engine.btree;

import java.util.List;
import org.rustydb.txn.Transaction;

/**
 * The entries one cursor fetch ({@link BTree#fetchForward}, {@link BTree#fetchBackward}) copies for a
 * reader, in scan order: leaf entries with the values the reader may see, and between them the keys other
 * transactions deleted, which are in no leaf ({@link CommittedValues}). It remembers how far deleted keys
 * have been added, so that each is added once.
 */
final class ScanFill {

  final List<byte[]> keys;
  final List<byte[]> values;
  private final int max;
  private final CommittedValues committed;
  private final Transaction reader;
  private final boolean descending;
  private byte[] pos;
  private boolean posInclusive;

  /** Starting at {@code start} (null: the end the scan comes from), inclusive or not. */
  ScanFill(CommittedValues committed, Transaction reader, boolean descending, byte[] start, boolean startInclusive,
      List<byte[]> keys, List<byte[]> values, int max) {
    this.committed = committed;
    this.reader = reader;
    this.descending = descending;
    this.pos = start;
    this.posInclusive = startInclusive;
    this.keys = keys;
    this.values = values;
    this.max = max;
  }

  boolean full() {
    return keys.size() >= max;
  }

  /**
   * Adds the deleted keys up to {@code bound} ({@code inclusive}: the scan's own end; null: no end) and
   * moves there. Call holding the leaves whose ranges cover the keys from the position to {@code bound}.
   */
  void deletedUpTo(byte[] bound, boolean inclusive) {
    committed.addDeleted(pos, posInclusive, bound, inclusive, descending, reader, keys, values, max);
    if (bound != null) {
      pos = bound;
      posInclusive = !inclusive;
    }
  }

  /** Adds a leaf's entry (after {@link #deletedUpTo} its key); a null value (a key another transaction inserted) is skipped. */
  void add(byte[] key, byte[] value) {
    if (value != null) {
      keys.add(key);
      values.add(value);
    }
    pos = key;
    posInclusive = false;
  }
}
