package org.rustydb.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

/**
 * Hits recorded without the replacer lock: striped, bounded, lossy ring buffers, as in Caffeine's
 * {@code StripedBuffer}/{@code BoundedBuffer}. A reader appends the page id to the ring of its stripe (chosen
 * by its thread id) with one CAS; when the ring is full the hit is dropped, which only makes the policy's
 * recency information a little coarser (a policy sees a sample of the hits of the hottest pages, which is what
 * matters for them). The owner drains all rings into {@link Replacer#recordHit} under the miss lock: on every
 * miss, and when an append finds its ring half full and the lock free.
 *
 * <p>Rings are padded apart so that stripes used by different cores do not share cache lines.
 */
final class HitBuffer {

  static final int RING = 32; // entries per stripe, a power of two
  private static final int RING_MASK = RING - 1;
  private static final int PAD = 16; // longs of padding between the counters of neighbouring stripes
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final int stripeMask;
  /** Per stripe: [tail at s*PAD] and [head at s*PAD+1], padded apart. */
  private final long[] counters;
  /** Per stripe: RING page ids (0 = empty slot) at s*RING, plus padding. */
  private final long[] slots;

  HitBuffer(int stripes) {
    int n = Integer.highestOneBit(Math.max(1, stripes) * 2 - 1);
    stripeMask = n - 1;
    counters = new long[(n + 1) * PAD];
    slots = new long[(n + 1) * RING];
  }

  /** Appends a hit; returns true when the caller should try to drain (its stripe is half full or more). */
  boolean offer(long pageId) {
    int s = (int) (mix(Thread.currentThread().threadId()) & stripeMask);
    int t = s * PAD + PAD;
    int h = t + 1;
    long tail = (long) LONGS.getAcquire(counters, t);
    long head = (long) LONGS.getAcquire(counters, h);
    long used = tail - head;
    if (used >= RING) return true; // full: drop this hit
    if (!LONGS.compareAndSet(counters, t, tail, tail + 1)) return false; // contended: drop, as Caffeine does
    LONGS.setRelease(slots, s * RING + RING + (int) (tail & RING_MASK), pageId);
    return used >= RING / 2;
  }

  /** Hands every recorded hit to {@code sink}; the caller holds the miss lock (one drainer at a time). */
  void drain(LongConsumer sink) {
    for (int s = 0; s <= stripeMask; s++) {
      int t = s * PAD + PAD;
      int h = t + 1;
      long head = (long) LONGS.getVolatile(counters, h);
      long tail = (long) LONGS.getAcquire(counters, t);
      while (head < tail) {
        int slot = s * RING + RING + (int) (head & RING_MASK);
        long page = (long) LONGS.getAcquire(slots, slot);
        if (page == 0L) break; // the writer has claimed this slot but not filled it yet
        LONGS.setOpaque(slots, slot, 0L);
        head++;
        sink.accept(page);
      }
      LONGS.setRelease(counters, h, head);
    }
  }

  private static long mix(long x) {
    x *= 0x9E3779B97F4A7C15L;
    return x ^ (x >>> 29);
  }
}
