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
 *   bit 63                    19   18       17       16          15            0
 *      +------------------------+--------+--------+-----------+---------------+
 *      |  version (45 bits)     | RBIAS  | WAITER | EXCLUSIVE | shared count  |
 *      +------------------------+--------+--------+-----------+---------------+
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
 * <p><b>Reader bias (BRAVO, Dice and Kogan, USENIX ATC 2019).</b> While {@link #RBIAS} is set, a reader
 * ({@link #tryEnterShared(ReaderSlots)}) does not add to this word, which every reader of the page would write: it
 * publishes the latch in its own slot of the pool's {@link ReaderSlots} (a store and a fence on a line only
 * its thread writes), then re-reads this word; if the bias is still set it holds the latch (and the pin)
 * until it clears the slot, else it clears the slot and counts itself in as above. A writer takes
 * {@link #EXCLUSIVE} and clears RBIAS in one CAS, then looks for slots naming this latch: the reader's
 * store-then-load and the writer's CAS-then-load are a Dekker pair (all volatile, so in one synchronisation
 * order), so either the reader sees the bias gone or the writer sees the slot. Finding one, a try
 * ({@link #tryAcquireExclusive()}: eviction, write hits) backs out (EXCLUSIVE off, RBIAS back on, no version
 * bump since nothing was written) and fails, as it would on a shared count; a blocking acquire waits,
 * holding EXCLUSIVE, for the slots to empty (the paper's revocation; new readers wait meanwhile). Hence the
 * invariant that keeps a writer that finds RBIAS clear from having to look: <em>a slot names this latch only
 * while RBIAS is set, or while the writer that cleared it holds EXCLUSIVE and has not finished looking</em>
 * (besides a reader between its publication and its re-read, which then backs out). The bias comes back when
 * a reader on the counting path has used up {@link #biasCredit}, set by the revocation from its duration (one
 * counted read per nanosecond it took, within [{@link #MIN_CREDIT}, {@link #MAX_CREDIT}]: with a counted read
 * at about 10 ns, the paper's "inhibit for N = 9 times the revocation time"), so that a page that is written
 * often stays unbiased and its writers do not pay a revocation each. {@link #isHeld()} counts biased readers.
 *
 * <p>{@link Frame} extends this class so that the latch word and the frame's hot fields share one small
 * object, mostly on one cache line: a hit touches the page table slot and this object (and the page, if it
 * reads it).
 */
class PageLatch {

  volatile long state = RBIAS;
  /** This latch's number in {@link #slots} (the frame's index in its pool). */
  final int index;
  /** Where biased readers of this latch (and of every latch of the pool) publish themselves. */
  final ReaderSlots slots;
  /** Counted reads left before the bias is turned back on (racy on purpose: a heuristic). */
  int biasCredit;
  /** The pool's admission tick when a hit on this frame was last offered to the policy (kept on this line). */
  long lastOffered;

  static final long SHARED_MASK = 0xFFFFL;
  static final long EXCLUSIVE = 1L << 16;
  static final long WAITER = 1L << 17;
  /** Readers may publish themselves in {@link #slots} instead of adding to the shared count. */
  static final long RBIAS = 1L << 18;
  static final long VERSION_UNIT = 1L << 19;
  /** A reader whose add finds this bit of the shared count set backs out and fails: 32768 holders at most. */
  static final long SHARED_LIMIT = 1L << 15;
  static final long VERSION_MASK = ~(VERSION_UNIT - 1);
  private static final int SPINS = 64;
  static final int MIN_CREDIT = 64;
  static final int MAX_CREDIT = 1 << 14;
  /** {@link #tryEnterShared(ReaderSlots)}: held through the shared count (release with {@link #releaseShared()}). */
  static final int COUNTED = -1;
  /** {@link #tryEnterShared(ReaderSlots)}: not held (a writer holds the latch). */
  static final int REFUSED = -2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(PageLatch.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  PageLatch(ReaderSlots slots, int index) {
    this.slots = slots;
    this.index = index;
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

  // ---- shared, biased (the read guard's hit path) ----

  /**
   * Takes the latch shared without waiting: returns a slot of {@code readers} (&ge; 0) when held as a biased
   * reader, {@link #COUNTED} when held through the shared count, {@link #REFUSED} when a writer holds it. Pass
   * the answer to {@link #exitShared(ReaderSlots, int)}. {@code readers} must be this latch's {@link #slots}:
   * the caller passes its own reference (the pool's field) because reaching the table through this object
   * made the slot's address depend on loading the frame, usually a cache miss, and cost as much as the
   * atomic add it replaces (measured: docs/benchmarks.md).
   */
  int tryEnterShared(ReaderSlots readers) {
    if ((state & RBIAS) != 0) {
      int slot = readers.publish(index);
      if (slot >= 0) {
        if (confirmBiased(slot)) return slot;
      }
    }
    return enterCounted();
  }

  /** After publishing {@code slot}: still biased (held), or not (the slot is cleared). Separate for tests. */
  boolean confirmBiased(int slot) {
    if ((state & RBIAS) != 0) return true;
    slots.clear(slot);
    return false;
  }

  /** The counting path of {@link #tryEnterShared(ReaderSlots)}, which also turns the bias back on when its credit is spent. */
  int enterCounted() {
    long s = addShared();
    if (!settleSharedAdd(s)) return REFUSED;
    if ((s & RBIAS) == 0 && --biasCredit <= 0) {
      STATE.getAndBitwiseOr(this, RBIAS); // we hold it shared, so no writer does: the invariant holds
    }
    return COUNTED;
  }

  /** Releases what {@link #tryEnterShared(ReaderSlots)} returned ({@code readers}: the same table). */
  void exitShared(ReaderSlots readers, int how) {
    if (how >= 0) readers.clear(how); else releaseShared();
  }

  // ---- shared, counted ----

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

  /**
   * The word's part of an exclusive acquire: EXCLUSIVE on and RBIAS off in one CAS if no one holds the latch.
   * Returns the state it replaced, or -1. With RBIAS in that state, biased readers may still hold the latch:
   * the caller must look ({@link #readersGone()}) and keep or give back ({@link #settleExclusive}).
   */
  long lockWord() {
    long s = (long) STATE.getVolatile(this);
    if ((s & (EXCLUSIVE | SHARED_MASK)) != 0 || !STATE.compareAndSet(this, s, (s & ~RBIAS) | EXCLUSIVE)) return -1;
    return s;
  }

  /** Whether no biased reader's slot names this latch (after {@link #lockWord()}, the revocation's look). */
  boolean readersGone() {
    return !slots.holds(index);
  }

  /**
   * Ends an exclusive acquire whose {@link #lockWord()} found {@code prior}: keeps the latch (true) unless the
   * bias was on and biased readers were found, in which case it gives the latch back as it was (EXCLUSIVE off,
   * RBIAS on again, same version) and returns false.
   */
  boolean settleExclusive(long prior, boolean readersGone, long revokeStartNanos) {
    if ((prior & RBIAS) == 0) return true;
    if (readersGone) {
      revoked(revokeStartNanos);
      return true;
    }
    backOutExclusive();
    return false;
  }

  private void revoked(long startNanos) {
    long took = System.nanoTime() - startNanos;
    biasCredit = (int) Math.max(MIN_CREDIT, Math.min(MAX_CREDIT, took));
  }

  /** Undoes {@link #lockWord()} while biased readers hold the latch: EXCLUSIVE off, RBIAS back on, no version bump. */
  private void backOutExclusive() {
    for (;;) {
      long s = (long) STATE.getVolatile(this);
      if (STATE.compareAndSet(this, s, (s & ~(EXCLUSIVE | WAITER)) | RBIAS)) {
        if ((s & WAITER) != 0) wakeAll();
        return;
      }
    }
  }

  boolean tryAcquireExclusive() {
    long prior = lockWord();
    if (prior == -1) return false;
    if ((prior & RBIAS) == 0) return true;
    long start = System.nanoTime();
    return settleExclusive(prior, readersGone(), start);
  }

  void acquireExclusive() {
    acquireWhile(true, null);
  }

  /**
   * After {@link #lockWord()} found the bias on: waits, holding EXCLUSIVE, until no biased reader holds the
   * latch (spin, yield, then sleep in growing slices up to a millisecond: a reader may hold a guard while it
   * waits for I/O). Returns false, having given the latch back, if {@code stillWanted} turns false first.
   */
  private boolean drainBiasedReaders(long prior, java.util.function.BooleanSupplier stillWanted) {
    long start = System.nanoTime();
    for (int i = 0; ; i++) {
      if (readersGone()) return settleExclusive(prior, true, start);
      if (i < SPINS) {
        Thread.onSpinWait();
      } else if (i < 2 * SPINS) {
        Thread.yield();
      } else {
        if (stillWanted != null && !stillWanted.getAsBoolean()) return settleExclusive(prior, false, start);
        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(10, i - 2 * SPINS)));
      }
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

  /**
   * Held in any mode, biased readers included: the frame is pinned. (Slots are looked at only while the bias
   * is on: see the invariant in the class comment. A reader about to back out may count for a moment.)
   */
  boolean isHeld() {
    long s = (long) STATE.getVolatile(this);
    return (s & (EXCLUSIVE | SHARED_MASK)) != 0 || ((s & RBIAS) != 0 && slots.holds(index));
  }

  /** Whether readers may take the biased path now. */
  boolean isBiased() {
    return ((long) STATE.getVolatile(this) & RBIAS) != 0;
  }

  long version() {
    return ((long) STATE.getVolatile(this) & VERSION_MASK) >>> 19;
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
      if (exclusive) {
        long prior = lockWord();
        if (prior != -1) {
          if ((prior & RBIAS) == 0 || drainBiasedReaders(prior, stillWanted)) return true;
          if (stillWanted != null && !stillWanted.getAsBoolean()) return false;
          continue;
        }
      } else if (tryAcquireShared()) {
        return true;
      }
      if (i < SPINS) {
        Thread.onSpinWait();
        continue;
      }
      if (stillWanted == null) {
        awaitChange(conflict);
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
    return "PageLatch[version=" + ((s & VERSION_MASK) >>> 19) + ", exclusive=" + ((s & EXCLUSIVE) != 0)
        + ", shared=" + (s & SHARED_MASK) + ", biased=" + ((s & RBIAS) != 0) + "]";
  }
}
