package org.rustydb.engine.btree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rustydb.ClosedException;
import org.rustydb.txn.Transaction;

/**
 * A range cursor over [{@code from}, {@code to}) of a {@link BTree}, ascending or descending; null bounds
 * are open. {@link #next()} moves to the next entry and says whether there is one; {@link #seek} moves
 * the position so that the next {@code next()} returns the first entry at or after the key in the cursor's
 * direction (ascending: the smallest key &gt;= it; descending: the largest key &lt;= it), still within the
 * range.
 *
 * <p>The cursor holds no latch between calls: it copies the qualifying entries of one leaf (a few at first,
 * more as the scan goes on: see {@link #batch}; or what is left of its {@link #limit}), and when they run out descends again from the root for the entries after the last key it returned. So it sees every
 * entry that stayed in the tree for the whole scan exactly once, in order, and may or may not see entries
 * inserted or deleted meanwhile (weakly consistent, like the JDK's concurrent collections). It sees
 * committed entries only, and its reader's own changes: where another transaction has changed a key and
 * not yet ended, the cursor returns the key's committed value, skips a key it inserted and returns a key
 * it deleted ({@link CommittedValues}). A cursor is for one thread.
 */
public final class BTreeCursor implements AutoCloseable {

  private final BTree tree;
  private final Transaction reader; // null: outside any transaction
  private final byte[] from;
  private final byte[] to;
  private final boolean descending;
  private final List<byte[]> keys = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>();
  private int pos;
  /**
   * Entries to copy at the next fetch: a few first (a short scan, such as YCSB's, should not copy a whole
   * leaf of overflow values it never reads), doubling for a long one (each fetch descends from the root).
   */
  private int batch = FIRST_BATCH;
  static final int FIRST_BATCH = 8;
  static final int MAX_BATCH = 512;
  /** Entries {@link #next()} may still return ({@link #limit}); no limit by default. */
  private long remaining = Long.MAX_VALUE;
  private byte[] resume; // null when descending means "from the end"
  private boolean resumeInclusive;
  private boolean exhausted;
  private byte[] key;
  private byte[] value; // a fetched copy no one else references (see value())
  private boolean closed;

  BTreeCursor(BTree tree, Transaction reader, byte[] from, byte[] to, boolean descending) {
    this.tree = tree;
    this.reader = reader;
    this.from = from == null ? null : from.clone();
    this.to = to == null ? null : to.clone();
    this.descending = descending;
    if (descending) {
      resume = this.to;
      resumeInclusive = false;
    } else {
      resume = this.from == null ? new byte[0] : this.from;
      resumeInclusive = true;
    }
  }

  /** Whether {@link #next()} has an entry already copied out, so that it will not read the tree. */
  public boolean hasBuffered() {
    return pos < keys.size();
  }

  /** Moves to the next entry; false (and no current entry) when the range is exhausted. */
  public boolean next() {
    checkOpen();
    if (remaining == 0) {
      key = null;
      value = null;
      return false;
    }
    if (pos == keys.size()) {
      keys.clear();
      values.clear();
      pos = 0;
      if (!exhausted) {
        // With a limit, what is left of it (the caller said it will read that many), else the growing batch.
        int max = remaining == Long.MAX_VALUE ? batch : (int) Math.min(remaining, MAX_BATCH);
        if (descending) tree.fetchBackward(reader, resume, resumeInclusive, from, keys, values, max);
        else tree.fetchForward(reader, resume, resumeInclusive, to, keys, values, max);
        batch = Math.min(MAX_BATCH, batch * 2);
      }
      if (keys.isEmpty()) {
        exhausted = true;
        key = null;
        value = null;
        return false;
      }
    }
    key = keys.get(pos);
    value = values.get(pos);
    values.set(pos, null); // handed over to value(): the batch keeps no reference to it
    pos++;
    resume = key;
    resumeInclusive = false;
    if (remaining != Long.MAX_VALUE) remaining--;
    return true;
  }

  /** Ends the scan after {@code n} more entries (see {@link org.rustydb.Cursor#limit}). */
  public void limit(long n) {
    checkOpen();
    if (n < 0) throw new IllegalArgumentException("limit must be at least 0: " + n);
    remaining = n;
  }

  /** Repositions: the next {@link #next()} returns the first entry at or beyond {@code target}. */
  public void seek(byte[] target) {
    checkOpen();
    BTree.checkKey(target);
    keys.clear();
    values.clear();
    pos = 0;
    batch = FIRST_BATCH;
    exhausted = false;
    key = null;
    value = null;
    if (descending) {
      if (to != null && Arrays.compareUnsigned(target, to) >= 0) {
        resume = to;
        resumeInclusive = false;
      } else {
        resume = target.clone();
        resumeInclusive = true;
      }
    } else {
      resume = from != null && Arrays.compareUnsigned(target, from) < 0 ? from : target.clone();
      resumeInclusive = true;
    }
  }

  /** The current entry's key (a copy the caller may keep). */
  public byte[] key() {
    checkPositioned();
    return key.clone();
  }

  /**
   * The current entry's value: the copy the fetch made, which nothing else references, so the caller may
   * keep it (and the same array again if it asks twice). Not copied once more: a scan's values are most of
   * the bytes it moves.
   */
  public byte[] value() {
    checkPositioned();
    return value;
  }

  private void checkPositioned() {
    checkOpen();
    if (key == null) throw new IllegalStateException("cursor is not on an entry: call next() first");
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("B+tree cursor");
  }

  @Override
  public void close() {
    closed = true;
  }
}
