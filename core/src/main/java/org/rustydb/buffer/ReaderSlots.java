package org.rustydb.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The visible-readers table of BRAVO (Dice and Kogan, "BRAVO — Biased Locking for Reader-Writer Locks",
 * USENIX ATC 2019), one per pool: a reader of a reader-biased {@link PageLatch} announces itself here instead
 * of adding to the latch word, so that a read guard writes no cache line another reader writes.
 *
 * <p>Layout: stripes of 16 longs (128 bytes, two cache lines, so that neither a neighbour nor the adjacent-line
 * prefetcher shares them); stripe {@code s} at {@code cells[(s + 1) * 16]}, padding before the first and after
 * the last.
 * <pre>
 *   +--------------+---------+---------+---------+---------+--------------+---------------------+
 *   | owner tid    | slot 1  | slot 2  | slot 3  | slot 4  | hits         | padding (10 longs)  |
 *   +--------------+---------+---------+---------+---------+--------------+---------------------+
 *   slot: 0 = empty, else (latch index + 1) of a latch this stripe's owner holds (or is about to check)
 *   hits: page hits its owners took through a slot ({@link #countHit}); the pool adds them to its hit count
 * </pre>
 *
 * <p>The hit count is here, and not only in {@link HitCounter}, because a biased hit has its stripe in hand
 * already: counting it is a plain add on a line the thread just wrote, where {@link HitCounter} hashes the
 * thread id again and touches a second line (about 2 ns of a 10 ns guard, measured).
 *
 * <p>A stripe is chosen by a hash of the thread id and owned by one thread (claimed with a CAS on first use,
 * taken over from an owner that has ended, as in {@link HitCounter}); only its owner writes its slots, so a
 * slot is published with a volatile store (x86: a store and a fence on the thread's own line, no
 * cache-line transfer) and cleared with a release store (a plain store). The paper hashes (thread, lock) into
 * a shared table and publishes with a CAS; measured here, a slot whose address depends on the latch (loaded
 * from a frame that is usually a cache miss) cost as much as the latch word's atomic adds, while a slot whose
 * address depends only on the thread did not (docs/benchmarks.md). A thread that holds {@link #SLOTS} biased
 * guards at once, or whose stripe a live thread owns, gets -1 and uses the latch word instead.
 *
 * <p>A writer revoking a latch's bias calls {@link #holds(int)}, which reads every owned stripe: a few
 * microseconds at most, paid only by writers of reader-biased latches.
 */
final class ReaderSlots {

  /** Slots per stripe: how many biased read guards one thread can hold at once (latch coupling needs 2–3). */
  static final int SLOTS = 4;
  private static final int PAD = StripeOwners.PAD;
  private static final int HITS = SLOTS + 1; // the stripe's hit count, after the slots
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final long FREE = StripeOwners.FREE;

  private final int stripeMask;
  private final long[] cells;
  /** Stripe s's owner (published after its id is claimed), for the liveness check of a takeover. */
  private final Thread[] owners;

  ReaderSlots(int stripes) {
    int n = Integer.highestOneBit(Math.max(1, stripes) * 2 - 1);
    stripeMask = n - 1;
    cells = new long[(n + 2) * PAD];
    owners = new Thread[n];
  }

  /**
   * Publishes that the calling thread is about to hold latch {@code index} shared. Returns the slot (an index
   * to pass to {@link #clear}) or -1 when no slot is to be had. The volatile store orders the publication
   * before the caller's next volatile read (the latch word's bias check): the Dekker pair with a writer's
   * CAS on the word followed by {@link #holds}.
   */
  int publish(int index) {
    long tid = Thread.currentThread().threadId();
    int at = stripeOf(tid);
    if (cells[at] == tid && cells[at + 1] == FREE) { // the usual case, small enough to inline into the hit path
      LONGS.setVolatile(cells, at + 1, index + 1L);
      return at + 1;
    }
    return publishSlow(tid, at, index);
  }

  private int publishSlow(long tid, int at, int index) {
    if (cells[at] != tid && !StripeOwners.claim(cells, owners, at, tid)) return -1;
    for (int k = at + 1; k <= at + SLOTS; k++) {
      if (cells[k] == FREE) {
        LONGS.setVolatile(cells, k, index + 1L);
        return k;
      }
    }
    return -1;
  }

  /** Ends a publication: the guard's reads are ordered before it (a release store; a writer reads it volatile). */
  void clear(int slot) {
    LONGS.setRelease(cells, slot, FREE);
  }

  /** Counts a hit for the thread that published {@code slot} (only that thread writes its stripe: exact). */
  void countHit(int slot) {
    int h = (slot & -PAD) + HITS;
    LONGS.setOpaque(cells, h, cells[h] + 1);
  }

  /** Hits counted by {@link #countHit} (exact once the counting threads are joined, recent while they run). */
  long hits() {
    long n = 0;
    for (int s = 0; s <= stripeMask; s++) n += (long) LONGS.getOpaque(cells, (s + 1) * PAD + HITS);
    return n;
  }

  /** Whether some thread's slot names latch {@code index} (held by a biased reader, or about to be checked). */
  boolean holds(int index) {
    long v = index + 1L;
    for (int s = 0; s <= stripeMask; s++) {
      int at = (s + 1) * PAD;
      if ((long) LONGS.getVolatile(cells, at) == FREE) continue; // never claimed: never published
      for (int k = at + 1; k <= at + SLOTS; k++) {
        if ((long) LONGS.getVolatile(cells, k) == v) return true;
      }
    }
    return false;
  }

  /** How many slots name latch {@code index} now (for tests and statistics). */
  int count(int index) {
    long v = index + 1L;
    int n = 0;
    for (int s = 0; s <= stripeMask; s++) {
      int at = (s + 1) * PAD;
      for (int k = at + 1; k <= at + SLOTS; k++) if ((long) LONGS.getVolatile(cells, k) == v) n++;
    }
    return n;
  }

  private int stripeOf(long tid) {
    long x = tid * 0x9E3779B97F4A7C15L;
    return ((int) ((x ^ (x >>> 29)) & stripeMask) + 1) * PAD;
  }

  /** The stripe index a thread id maps to (for tests that need two threads on one stripe). */
  int stripeIndexOf(long threadId) {
    return stripeOf(threadId) / PAD - 1;
  }

}
