package org.rustydb.buffer;

import java.util.Arrays;

/**
 * An open-addressing hash map from a non-negative {@code long} key to an {@code int}, for the replacers'
 * page-id to node index lookups: no boxing and no allocation per operation (a {@code HashMap<Long,…>}
 * would allocate a {@code Long} and an entry per page).
 *
 * <p>Linear probing over a power-of-two table kept at most three quarters full (0.375-0.75 at its most
 * keys: a policy keeping 4c of history for a pool of 1M frames holds 5M keys, and a half-full bound took
 * 16M slots, 200 MB, where 8M do); deletion shifts later entries of the same probe run back (Knuth 6.4,
 * algorithm R) so there are no tombstones and lookups stay short however many pages come and go. The
 * table is sized once for the most keys it will ever hold.
 */
final class LongIntHashMap {

  /** Returned by {@link #get} for an absent key. */
  static final int ABSENT = -1;

  private static final long EMPTY = -1L;

  private final long[] keys;
  private final int[] values;
  private final int mask;
  private final int maxSize;
  private int size;

  /** A map that can hold up to {@code maxSize} keys. */
  LongIntHashMap(int maxSize) {
    if (maxSize < 1) throw new IllegalArgumentException("maxSize must be positive: " + maxSize);
    this.maxSize = maxSize;
    long atLeast = Math.max(4L, ((long) maxSize * 4 + 2) / 3); // maxSize <= 3/4 of the slots
    if (atLeast > 1 << 30) throw new IllegalArgumentException("maxSize too large: " + maxSize);
    int cap = Integer.highestOneBit((int) atLeast - 1) << 1;
    keys = new long[cap];
    values = new int[cap];
    mask = cap - 1;
    Arrays.fill(keys, EMPTY);
  }

  int size() {
    return size;
  }

  /** The value for {@code key}, or {@link #ABSENT}. */
  int get(long key) {
    int i = slot(key);
    while (true) {
      long k = keys[i];
      if (k == key) return values[i];
      if (k == EMPTY) return ABSENT;
      i = (i + 1) & mask;
    }
  }

  /** Maps {@code key} to {@code value}, replacing any previous value. */
  void put(long key, int value) {
    if (key < 0) throw new IllegalArgumentException("page ids are non-negative: " + key);
    int i = slot(key);
    while (true) {
      long k = keys[i];
      if (k == key) {
        values[i] = value;
        return;
      }
      if (k == EMPTY) {
        if (size == maxSize) throw new IllegalStateException("map full: " + maxSize + " keys");
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes {@code key}; returns its value or {@link #ABSENT}. */
  int remove(long key) {
    int i = slot(key);
    while (true) {
      long k = keys[i];
      if (k == EMPTY) return ABSENT;
      if (k == key) break;
      i = (i + 1) & mask;
    }
    int removed = values[i];
    size--;
    // Backward-shift: move each later entry of this run into the hole unless its home slot lies
    // cyclically in (hole, j], where it would become unreachable.
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long k = keys[j];
      if (k == EMPTY) break;
      int home = slot(k);
      boolean homeBetween = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!homeBetween) {
        keys[hole] = k;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    return removed;
  }

  void clear() {
    Arrays.fill(keys, EMPTY);
    size = 0;
  }

  private int slot(long key) {
    // MurmurHash3's 64-bit finalizer: every key bit reaches every slot bit, so sequential page numbers,
    // file ids in the high bits, and keys pre-filtered by another hash (sampling) all spread evenly.
    long h = key;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (int) h & mask;
  }
}
