package org.rustydb.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * An exact event counter whose increment is no atomic instruction on the usual path: the count of page hits,
 * which every guard adds to. An atomic add (even {@link LongAdder}'s uncontended CAS on its base) is a full
 * fence on x86 and cost about a third of a read guard.
 *
 * <p>Stripes, each on its own cache lines, are chosen by a hash of the thread id. The first thread to use a
 * stripe claims it (a CAS, once) and from then on is its only writer, so it adds with a plain load and an
 * opaque store and no update is ever lost. A thread whose stripe belongs to another, live thread adds to a
 * shared {@link LongAdder} instead: still exact, only slower. A stripe whose owner has ended is taken over
 * (a CAS from the dead owner's id, which Java never reuses) with its count kept: the owner's last writes
 * happen-before another thread sees {@link Thread#isAlive()} return false (JLS 17.4.4), so the new owner
 * adds to the final count. Without this, every stripe a short-lived thread touched (a benchmark's or a
 * pool's threads that come and go) stayed closed for good, and more and more threads paid the LongAdder's
 * atomic add on every hit. {@link #sum()} reads every stripe with opaque loads: exact once the adding
 * threads have been joined (or otherwise synchronised with), a recent value while they run.
 */
final class HitCounter {

  private static final int PAD = StripeOwners.PAD; // owner at [0], count at [1], the rest padding
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final int stripeMask;
  private final long[] cells; // stripe s at [(s + 1) * PAD]: padding before the first and after the last
  private final LongAdder shared = new LongAdder();
  /** Stripe s's owner (written after its id is claimed in {@link #cells}), for the liveness check. */
  private final Thread[] owners;

  HitCounter(int stripes) {
    int n = Integer.highestOneBit(Math.max(1, stripes) * 2 - 1);
    stripeMask = n - 1;
    cells = new long[(n + 2) * PAD];
    owners = new Thread[n];
  }

  void increment() {
    long tid = Thread.currentThread().threadId();
    int at = ((int) (mix(tid) & stripeMask) + 1) * PAD;
    if (cells[at] == tid) {
      LONGS.setOpaque(cells, at + 1, cells[at + 1] + 1); // this thread is the stripe's only writer
    } else {
      incrementUnowned(tid, at);
    }
  }

  private void incrementUnowned(long tid, int at) {
    if (StripeOwners.claim(cells, owners, at, tid)) {
      LONGS.setOpaque(cells, at + 1, (long) LONGS.getOpaque(cells, at + 1) + 1);
    } else {
      shared.increment();
    }
  }


  long sum() {
    long s = shared.sum();
    for (int i = 0; i <= stripeMask; i++) s += (long) LONGS.getOpaque(cells, (i + 1) * PAD + 1);
    return s;
  }

  /** How many increments went to the shared LongAdder (threads on a stripe a live thread owns); for tests. */
  long sharedCount() {
    return shared.sum();
  }

  /** The stripe a thread id maps to (for tests that need two threads on one stripe). */
  int stripeOf(long threadId) {
    return (int) (mix(threadId) & stripeMask);
  }

  private static long mix(long x) {
    x *= 0x9E3779B97F4A7C15L;
    return x ^ (x >>> 29);
  }
}
