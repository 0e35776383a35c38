package org.rustydb.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Page id to frame: an open-addressing (linear probing) table of primitive {@code long} keys, each with a
 * frame index and (for the pool) the {@link Frame} object itself, read without any lock and written under
 * the pool's miss lock.
 *
 * <p>Why no reader lock is needed: a lookup's answer is only a hint. The caller latches the frame it names
 * and then checks that the frame really holds the page ({@link Frame#pageId}, which changes only under the
 * frame's exclusive latch). A reader racing with a writer may therefore see a stale or torn slot (a key from
 * one moment, a value from another) or miss a key that a deletion is shifting back; the first is caught by
 * that check, the second sends the reader to the slow path, which looks again under the miss lock. Slots are
 * read with opaque accesses so that no read is torn or hoisted out of the probe loop.
 *
 * <p>Layout: three parallel arrays. Keys alone in one {@code long[]} (eight to a cache line, so probes and
 * the table's share of the cache stay small); the frame index ({@code int[]}) and the frame ({@code Object[]})
 * of slot i at index i of theirs. {@link #getRef} loads slot i's key and frame at once (neither load waits
 * for the other), so a hit pays one dependent cache miss for the table, not two (key+index, then
 * {@code frames[index]}).
 *
 * <p>Capacity is fixed: a power of two at least twice the frame count. At most one key per frame is mapped,
 * plus one extra per eviction in flight (the victim stays mapped until it is written back), so the load
 * factor stays at or below about 1/2 and probes stay short; the table never resizes. Deletion shifts later entries
 * of the cluster back (Knuth's Algorithm R), so there are no tombstones.
 *
 * <p>Measured against {@code ConcurrentHashMap<Long,Integer>} and the spec's 64 read-write-locked shards in
 * {@code rustydb bench pool} (rows {@code pagetable-get}, {@code chm-get}, {@code rwlock64-get}): no boxing,
 * no per-entry objects. Public only for that benchmark; the pool is its one user.
 */
public final class PageTable {

  public static final int ABSENT = -1;
  private static final long EMPTY = 0L; // page id 0 is never valid (file id 0 is reserved)
  private static final long PHI = 0x9E3779B97F4A7C15L;
  private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(int[].class);
  private static final VarHandle REFS = MethodHandles.arrayElementVarHandle(Object[].class);

  private final long[] keys;
  private final int[] values;
  private final Object[] refs;
  private final int mask;
  private final int shift;
  private int size; // written under the miss lock

  /** A table for a pool of {@code frames} frames. */
  public PageTable(int frames) {
    int cap = Integer.highestOneBit(Math.max(16, frames) * 2 - 1) << 1;
    if (cap <= 0 || cap > (1 << 30)) throw new IllegalArgumentException("too many frames: " + frames);
    keys = new long[cap];
    values = new int[cap];
    refs = new Object[cap];
    mask = cap - 1;
    shift = 64 - Integer.numberOfTrailingZeros(cap);
  }

  private int home(long key) {
    return (int) ((key * PHI) >>> shift);
  }

  /** The frame index mapped to {@code pageId}, or {@link #ABSENT}; lock-free, possibly stale (see above). */
  public int get(long pageId) {
    int i = home(pageId);
    for (int n = 0; n <= mask; n++) {
      int v = (int) VALUES.getOpaque(values, i); // loaded alongside the key, not after it
      long k = (long) KEYS.getOpaque(keys, i);
      if (k == pageId) return v;
      if (k == EMPTY) return ABSENT;
      i = (i + 1) & mask;
    }
    return ABSENT;
  }

  /**
   * The object mapped with {@code pageId} ({@link #put(long, int, Object)}), or null; lock-free and possibly
   * stale like {@link #get}: a torn read may pair the key with another slot's object, or with none.
   */
  public Object getRef(long pageId) {
    int i = home(pageId);
    for (int n = 0; n <= mask; n++) {
      Object r = REFS.getOpaque(refs, i); // loaded alongside the key, not after it
      long k = (long) KEYS.getOpaque(keys, i);
      if (k == pageId) return r;
      if (k == EMPTY) return null;
      i = (i + 1) & mask;
    }
    return null;
  }

  /** Maps {@code pageId} (which must not be mapped) to {@code frame}. Writers are serialised by the caller. */
  public void put(long pageId, int frame) {
    put(pageId, frame, null);
  }

  /** Maps {@code pageId} (which must not be mapped) to {@code frame} and {@code ref}. Writers are serialised. */
  public void put(long pageId, int frame, Object ref) {
    if (pageId == EMPTY) throw new IllegalArgumentException("page id 0 is not a valid page");
    if (size + 1 > (mask + 1) / 4 * 3) throw new IllegalStateException("page table three-quarters full: " + size);
    int i = home(pageId);
    for (;;) {
      long k = keys[i];
      if (k == pageId) throw new IllegalStateException("page already mapped: " + pageId);
      if (k == EMPTY) break;
      i = (i + 1) & mask;
    }
    VALUES.setOpaque(values, i, frame);
    REFS.setOpaque(refs, i, ref);
    KEYS.setRelease(keys, i, pageId); // last: a reader who sees the key sees the values too
    size++;
  }

  /** Unmaps {@code pageId}; returns its frame or {@link #ABSENT}. Writers are serialised by the caller. */
  public int remove(long pageId) {
    int i = home(pageId);
    for (;;) {
      long k = keys[i];
      if (k == EMPTY) return ABSENT;
      if (k == pageId) break;
      i = (i + 1) & mask;
    }
    int frame = values[i];
    // Algorithm R: move later members of the cluster into the hole when their home does not lie in (hole, j].
    int hole = i;
    int j = i;
    for (;;) {
      j = (j + 1) & mask;
      long k = keys[j];
      if (k == EMPTY) break;
      int h = home(k);
      boolean stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
        VALUES.setOpaque(values, hole, values[j]);
        REFS.setOpaque(refs, hole, refs[j]);
        KEYS.setRelease(keys, hole, k);
        hole = j;
      }
    }
    KEYS.setRelease(keys, hole, EMPTY);
    REFS.setOpaque(refs, hole, null); // after the key: a reader who still sees the old key may get null (a miss)
    size--;
    return frame;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return mask + 1;
  }
}
