package org.rustydb.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A frame's latch: shared, exclusive and optimistic (version-validated) modes in one 64-bit word, in the
 * manner of {@link java.util.concurrent.locks.StampedLock} and LeanStore's hybrid latch. Holding the latch
 * in any mode also pins the frame: eviction claims a frame only by {@link #tryAcquireExclusive()} on an
 * unheld latch, so "pinned" and "latched by someone" are the same fact and a guard pays for one atomic
 * operation to enter and one to leave, not two.
 *
 * <pre>
 *   bit 63                         18   17       16        15            0
 *      +-------------------------------+--------+---------+---------------+
 *      |  version (46 bits)            | WAITER | EXCLUSIVE | shared count |
 *      +-------------------------------+--------+---------+---------------+
 * </pre>
 *
 * <p>The version grows by one each time the exclusive mode is released, so an optimistic reader takes a
 * stamp (the version, only when no one holds the latch exclusively), reads without writing anything, and
 * {@link #validate(long)}s: equal versions and no exclusive holder mean nothing was changed in between.
 * Shared holders do not change the version.
 *
 * <p>Waiting: a short spin, then the waiter sets WAITER (only while the latch is still held in the
 * conflicting mode, with a CAS, so the release cannot slip in between) and waits on this object's monitor;
 * a release that clears WAITER notifies. Since JDK 24 a virtual thread waiting in a monitor does not pin its
 * carrier. Writers are not preferred: a steady stream of readers can delay a writer (acceptable for page
 * latches, which are held for microseconds).
 *
 * <p>{@link Frame} extends this class so that the latch word and the frame's hot fields share one small
 * object, mostly on one cache line: a hit touches the page table slot and this object (and the page, if it
 * reads it).
 */
class PageLatch {

  volatile long state;
  /** The pool's admission tick when a hit on this frame was last offered to the policy (kept on this line). */
  long lastOffered;

  static final long SHARED_MASK = 0xFFFFL;
  static final long EXCLUSIVE = 1L << 16;
  static final long WAITER = 1L << 17;
  static final long VERSION_UNIT = 1L << 18;
  /** A reader whose add finds this bit of the shared count set backs out and fails: 32768 holders at most. */
  static final long SHARED_LIMIT = 1L << 15;
  static final long VERSION_MASK = ~(VERSION_UNIT - 1);
  private static final int SPINS = 64;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(PageLatch.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // ---- optimistic ----

  /** A stamp for an optimistic read, or 0 if the latch is held exclusively now. */
  long tryOptimistic() {
    long s = (long) STATE.getAcquire(this);
    return (s & EXCLUSIVE) != 0 ? 0L : (s & VERSION_MASK) | 1L;
  }

  /** Whether nothing was written under the exclusive mode since {@code stamp} was taken. */
  boolean validate(long stamp) {
    VarHandle.loadLoadFence();
    long s = (long) STATE.getAcquire(this);
    return stamp != 0 && (s & (VERSION_MASK | EXCLUSIVE)) == (stamp & VERSION_MASK);
  }

  // ---- shared ----

  /**
   * One atomic add (x86 {@code LOCK XADD}), never a retry loop: the reader counts itself in first and looks at
   * what it found. If a writer held the latch, it takes itself out again ({@link #releaseShared()}, which
   * also wakes a waiter if the reader's short-lived count was the last thing in the way). A writer that
   * races with such a reader can therefore see one shared holder too many for a moment: its
   * {@link #tryAcquireExclusive()} fails, as it would have a moment earlier or later, and nothing else reads
   * the count while the latch is held exclusively. Compared with load + CAS, this is one cache-line
   * transfer instead of two and never fails under read contention.
   */
  boolean tryAcquireShared() {
    return settleSharedAdd(addShared());
  }

  /** The first step of {@link #tryAcquireShared()}: the add. Returns the state found (separate for tests). */
  long addShared() {
    return (long) STATE.getAndAdd(this, 1L);
  }

  /** The second step: keep the add (true: now held shared) or, if it found a writer, take it back. */
  boolean settleSharedAdd(long s) {
    if ((s & (EXCLUSIVE | SHARED_LIMIT)) == 0) return true;
    return sharedAddRefused(s);
  }

  /** The add in {@link #tryAcquireShared()} found a writer (or a runaway count): undo it. */
  private boolean sharedAddRefused(long s) {
    releaseShared();
    if ((s & EXCLUSIVE) == 0) {
      throw new IllegalStateException("page latch: more than " + SHARED_LIMIT + " shared holders");
    }
    return false;
  }

  void acquireShared() {
    if (tryAcquireShared()) return;
    for (int i = 0; i < SPINS; i++) {
      Thread.onSpinWait();
      // test before the add: spinning adds would keep taking the line from the writer
      if ((((long) STATE.getVolatile(this)) & EXCLUSIVE) == 0 && tryAcquireShared()) return;
    }
    while (!tryAcquireShared()) {
      awaitChange(EXCLUSIVE);
    }
  }

  /** One atomic add; only the last holder leaving a latch someone waits on does more. */
  void releaseShared() {
    long s = (long) STATE.getAndAdd(this, -1L);
    if ((s & WAITER) == 0 && (s & SHARED_MASK) != 0) return;
    releasedSharedSlow(s);
  }

  private void releasedSharedSlow(long s) {
    if ((s & SHARED_MASK) == 0) {
      STATE.getAndAdd(this, 1L); // give the borrow back before anyone builds on it
      throw new IllegalStateException("page latch: shared release without holder");
    }
    // Wake waiters if this was the last holder and nothing else is in their way. With EXCLUSIVE set (this
    // was a refused reader's undo) the writer's release wakes them; with another holder in, its release will.
    for (;;) {
      long c = (long) STATE.getVolatile(this);
      if ((c & WAITER) == 0 || (c & (SHARED_MASK | EXCLUSIVE)) != 0) return;
      if (STATE.compareAndSet(this, c, c & ~WAITER)) {
        wakeAll();
        return;
      }
    }
  }

  // ---- exclusive ----

  boolean tryAcquireExclusive() {
    long s = (long) STATE.getVolatile(this);
    return (s & (EXCLUSIVE | SHARED_MASK)) == 0 && STATE.compareAndSet(this, s, s | EXCLUSIVE);
  }

  void acquireExclusive() {
    if (tryAcquireExclusive()) return;
    for (int i = 0; i < SPINS; i++) {
      Thread.onSpinWait();
      if (tryAcquireExclusive()) return;
    }
    while (!tryAcquireExclusive()) {
      awaitChange(EXCLUSIVE | SHARED_MASK);
    }
  }

  void releaseExclusive() {
    for (;;) {
      long s = (long) STATE.getVolatile(this);
      if ((s & EXCLUSIVE) == 0) throw new IllegalStateException("page latch: exclusive release without holder");
      long n = (s & ~(EXCLUSIVE | WAITER)) + VERSION_UNIT;
      if (STATE.compareAndSet(this, s, n)) {
        if ((s & WAITER) != 0) wakeAll();
        return;
      }
    }
  }

  /** Exclusive to shared without a gap in which another writer could enter; bumps the version. */
  void downgrade() {
    for (;;) {
      long s = (long) STATE.getVolatile(this);
      if ((s & EXCLUSIVE) == 0) throw new IllegalStateException("page latch: downgrade without exclusive holder");
      long n = ((s & ~(EXCLUSIVE | WAITER)) + VERSION_UNIT) + 1;
      if (STATE.compareAndSet(this, s, n)) {
        if ((s & WAITER) != 0) wakeAll();
        return;
      }
    }
  }

  // ---- inspection ----

  boolean isExclusive() {
    return ((long) STATE.getVolatile(this) & EXCLUSIVE) != 0;
  }

  int sharedCount() {
    return (int) ((long) STATE.getVolatile(this) & SHARED_MASK);
  }

  /** Held in any mode: the frame is pinned. */
  boolean isHeld() {
    return ((long) STATE.getVolatile(this) & (EXCLUSIVE | SHARED_MASK)) != 0;
  }

  long version() {
    return ((long) STATE.getVolatile(this) & VERSION_MASK) >>> 18;
  }

  /**
   * Takes the latch ({@code exclusive} or shared) unless {@code stillWanted} turns false while waiting: then
   * returns false holding nothing. For a latch found through a lookup that can go stale while the caller
   * waits: a frame named by the page table can be handed to another page meanwhile, and that page's holder
   * may be waiting for a latch the caller holds (a deadlock no latch order can prevent, since the caller
   * never meant to wait for that page). Waits in slices of {@link #RECHECK_MILLIS} to look again.
   */
  boolean acquireWhile(boolean exclusive, java.util.function.BooleanSupplier stillWanted) {
    long conflict = exclusive ? EXCLUSIVE | SHARED_MASK : EXCLUSIVE;
    for (int i = 0; ; i++) {
      if (exclusive ? tryAcquireExclusive() : tryAcquireShared()) return true;
      if (i < SPINS) {
        Thread.onSpinWait();
        continue;
      }
      if (!stillWanted.getAsBoolean()) return false;
      awaitChange(conflict, RECHECK_MILLIS);
    }
  }

  private static final long RECHECK_MILLIS = 2;

  // ---- blocking ----

  /** Sleeps until the bits in {@code conflict} may have cleared (or returns at once if they already have). */
  private void awaitChange(long conflict) {
    awaitChange(conflict, 0);
  }

  /** As {@link #awaitChange(long)}, but returns after at most {@code millis} (0: no limit). */
  private void awaitChange(long conflict, long millis) {
    synchronized (this) {
      for (;;) {
        long s = (long) STATE.getVolatile(this);
        if ((s & conflict) == 0) return;
        if ((s & WAITER) != 0 || STATE.compareAndSet(this, s, s | WAITER)) break;
      }
      boolean interrupted = false;
      try {
        // The releaser clears WAITER and notifies under this monitor, which it cannot enter before wait().
        while ((((long) STATE.getVolatile(this)) & WAITER) != 0) {
          try {
            wait(millis);
          } catch (InterruptedException e) {
            interrupted = true;
          }
          if (millis > 0) break; // a timed wait: the caller looks again whatever woke it
        }
      } finally {
        if (interrupted) Thread.currentThread().interrupt();
      }
    }
  }

  private void wakeAll() {
    synchronized (this) {
      notifyAll();
    }
  }

  @Override
  public String toString() {
    long s = (long) STATE.getVolatile(this);
    return "PageLatch[version=" + ((s & VERSION_MASK) >>> 18) + ", exclusive=" + ((s & EXCLUSIVE) != 0)
        + ", shared=" + (s & SHARED_MASK) + "]";
  }
}
