package org.rustydb.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Ownership of the per-thread stripes of {@link HitCounter} and {@link ReaderSlots}: arrays of longs cut into
 * stripes of {@link #PAD} longs whose first long is the owning thread's id ({@link #FREE} while unowned), with
 * the owners' {@code Thread} objects beside them for the liveness check of a takeover.
 */
final class StripeOwners {

  /** Longs per stripe: 128 bytes, two cache lines, so neither a neighbour nor the adjacent-line prefetcher shares them. */
  static final int PAD = 16;
  /** No thread has id 0: ids start at 1. */
  static final long FREE = 0L;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle OWNERS = MethodHandles.arrayElementVarHandle(Thread[].class);

  private StripeOwners() {}

  /**
   * Makes thread {@code tid} (the calling thread) the owner of the stripe at {@code cells[at]} (stripe
   * {@code at / PAD - 1}) if it is free or its owner has ended. A dead owner's other longs are kept as they
   * are (a reader slot it never cleared stays a pin, as an unreleased shared count would).
   */
  static boolean claim(long[] cells, Thread[] owners, int at, long tid) {
    int s = at / PAD - 1;
    long owner = (long) LONGS.getVolatile(cells, at);
    if (owner != FREE) {
      // Only an owner seen to have ended may be replaced; the Thread read must be the one that owns the id
      // read (it is published after the id, so it may still be the previous, ended owner's).
      Thread t = (Thread) OWNERS.getVolatile(owners, s);
      if (t == null || t.threadId() != owner || t.isAlive()) return false;
    }
    if (!LONGS.compareAndSet(cells, at, owner, tid)) return false;
    OWNERS.setVolatile(owners, s, Thread.currentThread());
    return true;
  }
}
