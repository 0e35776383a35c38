package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The latch protocol: its sequential behaviour, every interleaving of small operation sequences against a
 * reference model (a deterministic scheduler, one atomic latch operation per step), and a many-iteration race
 * of real threads with invariant checks (jcstress style).
 */
class PageLatchTest {

  /** A latch of its own table of reader slots (a pool's frames share one). */
  static PageLatch newLatch() {
    return new PageLatch(new ReaderSlots(4), 0);
  }

  @Test
  void sequentialProtocol() {
    PageLatch l = newLatch();
    long s0 = l.tryOptimistic();
    assertThat(s0).isNotZero();
    assertThat(l.validate(s0)).isTrue();

    assertThat(l.tryAcquireShared()).isTrue();
    assertThat(l.tryAcquireShared()).isTrue();
    assertThat(l.sharedCount()).isEqualTo(2);
    assertThat(l.tryAcquireExclusive()).as("exclusive excluded by shared").isFalse();
    assertThat(l.validate(s0)).as("shared holders do not invalidate").isTrue();
    l.releaseShared();
    l.releaseShared();

    assertThat(l.tryAcquireExclusive()).isTrue();
    assertThat(l.tryOptimistic()).as("no optimistic stamp while exclusive").isZero();
    assertThat(l.validate(s0)).isFalse();
    assertThat(l.tryAcquireShared()).isFalse();
    assertThat(l.tryAcquireExclusive()).isFalse();
    l.releaseExclusive();
    assertThat(l.validate(s0)).as("a finished writer invalidates").isFalse();
    assertThat(l.version()).isEqualTo(1);

    long s1 = l.tryOptimistic();
    l.acquireExclusive();
    l.downgrade();
    assertThat(l.validate(s1)).as("downgrade ends the exclusive section").isFalse();
    assertThat(l.sharedCount()).isEqualTo(1);
    assertThat(l.isExclusive()).isFalse();
    assertThat(l.tryAcquireShared()).as("others may read after a downgrade").isTrue();
    l.releaseShared();
    l.releaseShared();
    assertThat(l.isHeld()).isFalse();
    assertThat(l.validate(0)).as("stamp 0 never validates").isFalse();

    assertThatThrownBy(l::releaseShared).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(l::releaseExclusive).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(l::downgrade).isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------- exhaustive interleavings

  enum Op { TRY_SHARED, RELEASE_SHARED, TRY_EXCLUSIVE, RELEASE_EXCLUSIVE, DOWNGRADE, STAMP, VALIDATE, ADD_SHARED, SETTLE_SHARED }

  /** Small per-thread programs; release/downgrade steps run only if the thread holds the mode they need. */
  static final Op[][] PROGRAMS = {
    {Op.TRY_SHARED, Op.RELEASE_SHARED},
    {Op.TRY_EXCLUSIVE, Op.RELEASE_EXCLUSIVE},
    {Op.STAMP, Op.VALIDATE},
    {Op.TRY_EXCLUSIVE, Op.DOWNGRADE, Op.RELEASE_SHARED},
    {Op.STAMP, Op.TRY_SHARED, Op.VALIDATE},
  };

  /**
   * A shared acquire is two atomic steps (the add, then keeping it or backing out): programs that run the
   * steps separately, so that other threads' steps fall between them.
   */
  static final Op[][] SPLIT_PROGRAMS = {
    {Op.ADD_SHARED, Op.SETTLE_SHARED, Op.RELEASE_SHARED},
    {Op.TRY_EXCLUSIVE, Op.RELEASE_EXCLUSIVE},
    {Op.TRY_EXCLUSIVE, Op.DOWNGRADE, Op.RELEASE_SHARED},
    {Op.STAMP, Op.ADD_SHARED, Op.SETTLE_SHARED, Op.VALIDATE},
  };

  /** Reference model: who holds what, and whether a writer held or holds the latch since a stamp. */
  static final class Model {
    int shared;
    int refusedAdds; // readers whose add found a writer and who have not backed out yet
    int exclusiveOwner = -1;
    long writes; // exclusive sections ended
  }

  static final class Thr {
    final Op[] program;
    int pc;
    boolean sharedHeld;
    boolean exclusiveHeld;
    long stamp;
    long stampWrites = -1; // model: writes count when the stamp was taken, -1 = no valid stamp
    long added; // the state an ADD_SHARED found
    boolean addRefused;
    Thr(Op[] p) { program = p; }
  }

  @Test
  void everyInterleavingMatchesTheModel() {
    int executions = 0;
    for (int a = 0; a < PROGRAMS.length; a++) {
      for (int b = 0; b < PROGRAMS.length; b++) {
        for (int c = 0; c < PROGRAMS.length; c++) {
          executions += explore(new Op[][] {PROGRAMS[a], PROGRAMS[b], PROGRAMS[c]}, new int[0]);
        }
      }
    }
    assertThat(executions).isEqualTo(47_370); // all schedules of 125 program triples
  }

  @Test
  void everyInterleavingOfTheTwoStepSharedAcquireMatchesTheModel() {
    int executions = 0;
    for (int a = 0; a < SPLIT_PROGRAMS.length; a++) {
      for (int b = 0; b < SPLIT_PROGRAMS.length; b++) {
        for (int c = 0; c < SPLIT_PROGRAMS.length; c++) {
          executions += explore(new Op[][] {SPLIT_PROGRAMS[a], SPLIT_PROGRAMS[b], SPLIT_PROGRAMS[c]}, new int[0]);
        }
      }
    }
    assertThat(executions).isGreaterThan(100_000);
  }

  /** Runs every schedule extending {@code prefix}; returns how many complete schedules ran. */
  private int explore(Op[][] programs, int[] prefix) {
    int total = 0;
    int steps = 0;
    for (Op[] pr : programs) steps += pr.length;
    if (prefix.length == steps) {
      run(programs, prefix);
      return 1;
    }
    int[] used = new int[programs.length];
    for (int t : prefix) used[t]++;
    for (int t = 0; t < programs.length; t++) {
      if (used[t] < programs[t].length) {
        int[] next = java.util.Arrays.copyOf(prefix, prefix.length + 1);
        next[prefix.length] = t;
        total += explore(programs, next);
      }
    }
    return total;
  }

  private static void run(Op[][] programs, int[] schedule) {
    PageLatch l = newLatch();
    Model m = new Model();
    Thr[] ts = new Thr[programs.length];
    for (int i = 0; i < ts.length; i++) ts[i] = new Thr(programs[i]);
    for (int t : schedule) {
      Thr th = ts[t];
      Op op = th.program[th.pc++];
      String where = java.util.Arrays.toString(schedule) + " step " + op + " of thread " + t;
      switch (op) {
        case TRY_SHARED -> {
          boolean expect = m.exclusiveOwner < 0;
          assertThat(l.tryAcquireShared()).as(where).isEqualTo(expect);
          if (expect) { m.shared++; th.sharedHeld = true; }
        }
        case RELEASE_SHARED -> {
          if (th.sharedHeld) { l.releaseShared(); m.shared--; th.sharedHeld = false; }
        }
        case ADD_SHARED -> {
          th.added = l.addShared();
          // The add is the acquisition when no writer is in; otherwise it is a count the reader must take back.
          th.addRefused = m.exclusiveOwner >= 0;
          assertThat((th.added & PageLatch.EXCLUSIVE) != 0).as(where).isEqualTo(th.addRefused);
          if (th.addRefused) m.refusedAdds++; else { m.shared++; th.sharedHeld = true; }
        }
        case SETTLE_SHARED -> {
          assertThat(l.settleSharedAdd(th.added)).as(where).isEqualTo(!th.addRefused);
          if (th.addRefused) m.refusedAdds--;
        }
        case TRY_EXCLUSIVE -> {
          // a reader's add not yet taken back also keeps a writer out (a try may fail "early")
          boolean expect = m.exclusiveOwner < 0 && m.shared == 0 && m.refusedAdds == 0;
          assertThat(l.tryAcquireExclusive()).as(where).isEqualTo(expect);
          if (expect) { m.exclusiveOwner = t; th.exclusiveHeld = true; }
        }
        case RELEASE_EXCLUSIVE -> {
          if (th.exclusiveHeld) { l.releaseExclusive(); m.exclusiveOwner = -1; m.writes++; th.exclusiveHeld = false; }
        }
        case DOWNGRADE -> {
          if (th.exclusiveHeld) {
            l.downgrade();
            m.exclusiveOwner = -1; m.writes++; m.shared++;
            th.exclusiveHeld = false; th.sharedHeld = true;
          }
        }
        case STAMP -> {
          th.stamp = l.tryOptimistic();
          assertThat(th.stamp != 0).as(where).isEqualTo(m.exclusiveOwner < 0);
          th.stampWrites = m.exclusiveOwner < 0 ? m.writes : -1;
        }
        case VALIDATE -> {
          boolean expect = th.stampWrites >= 0 && th.stampWrites == m.writes && m.exclusiveOwner < 0;
          assertThat(l.validate(th.stamp)).as(where).isEqualTo(expect);
        }
      }
      assertThat(l.sharedCount()).as(where).isEqualTo(m.shared + m.refusedAdds);
      assertThat(l.isExclusive()).as(where).isEqualTo(m.exclusiveOwner >= 0);
      assertThat(l.version()).as(where).isEqualTo(m.writes);
    }
  }

  // ---------------------------------------------------------------- the biased (BRAVO) path

  @Test
  void biasedReadersPinWithoutTheCountAndWritersRevoke() {
    ReaderSlots slots = new ReaderSlots(4);
    PageLatch l = new PageLatch(slots, 7);
    PageLatch other = new PageLatch(slots, 8);
    assertThat(l.isBiased()).as("a new latch is reader-biased").isTrue();
    long s0 = l.tryOptimistic();
    int slot = l.tryEnterShared(slots);
    assertThat(slot).as("biased: a slot, not the count").isGreaterThanOrEqualTo(0);
    assertThat(l.sharedCount()).isZero();
    assertThat(slots.count(7)).isEqualTo(1);
    assertThat(l.isHeld()).as("a biased reader pins").isTrue();
    assertThat(other.isHeld()).as("only its own latch").isFalse();
    assertThat(l.tryAcquireExclusive()).as("a try finds the reader's slot").isFalse();
    assertThat(l.isBiased()).as("a failed try gives the bias back").isTrue();
    assertThat(l.isExclusive()).isFalse();
    assertThat(l.validate(s0)).as("a failed try wrote nothing").isTrue();
    assertThat(other.tryAcquireExclusive()).as("another latch of the table is free").isTrue();
    other.releaseExclusive();
    l.exitShared(slots, slot);
    assertThat(l.isHeld()).isFalse();

    assertThat(l.tryAcquireExclusive()).as("no reader left: revoked").isTrue();
    assertThat(l.isBiased()).isFalse();
    assertThat(l.biasCredit).isBetween(PageLatch.MIN_CREDIT, PageLatch.MAX_CREDIT);
    assertThat(l.tryEnterShared(slots)).as("writer in").isEqualTo(PageLatch.REFUSED);
    l.releaseExclusive();
    assertThat(l.validate(s0)).isFalse();
    int counted = 0;
    while (!l.isBiased()) {
      assertThat(l.tryEnterShared(slots)).as("unbiased: the count").isEqualTo(PageLatch.COUNTED);
      l.exitShared(slots, PageLatch.COUNTED);
      counted++;
      assertThat(counted).as("the bias comes back within the credit").isLessThanOrEqualTo(PageLatch.MAX_CREDIT);
    }
    assertThat(counted).as("not before the credit is spent").isGreaterThanOrEqualTo(PageLatch.MIN_CREDIT);
    assertThat(l.tryEnterShared(slots)).as("biased again").isGreaterThanOrEqualTo(0);
    assertThat(l.sharedCount()).isZero();
  }

  @Test
  void aThreadOutOfSlotsUsesTheCount() {
    ReaderSlots slots = new ReaderSlots(4);
    List<PageLatch> latches = new ArrayList<>();
    List<Integer> held = new ArrayList<>();
    for (int i = 0; i <= ReaderSlots.SLOTS; i++) {
      PageLatch l = new PageLatch(slots, i);
      latches.add(l);
      held.add(l.tryEnterShared(slots));
    }
    for (int i = 0; i < ReaderSlots.SLOTS; i++) assertThat(held.get(i)).isGreaterThanOrEqualTo(0);
    assertThat(held.get(ReaderSlots.SLOTS)).isEqualTo(PageLatch.COUNTED);
    // The same latch twice (a nested guard on one page): its own slot and then, say, the count; both pin.
    PageLatch again = latches.get(0);
    int second = again.tryEnterShared(slots);
    assertThat(second).isEqualTo(PageLatch.COUNTED);
    for (int i = 0; i <= ReaderSlots.SLOTS; i++) {
      assertThat(latches.get(i).isHeld()).isTrue();
      assertThat(latches.get(i).tryAcquireExclusive()).isFalse();
      latches.get(i).exitShared(slots, held.get(i));
    }
    assertThat(again.isHeld()).as("the nested count still pins").isTrue();
    again.exitShared(slots, second);
    for (PageLatch l : latches) assertThat(l.isHeld()).isFalse();
  }

  @Test
  void aBlockingWriterWaitsForBiasedReadersAndHoldsOffNewOnes() throws Exception {
    ReaderSlots slots = new ReaderSlots(4);
    PageLatch l = new PageLatch(slots, 3);
    int slot = l.tryEnterShared(slots);
    assertThat(slot).isGreaterThanOrEqualTo(0);
    CountDownLatch got = new CountDownLatch(1);
    Thread writer = Thread.ofPlatform().start(() -> {
      l.acquireExclusive();
      got.countDown();
      l.releaseExclusive();
    });
    for (int i = 0; i < 1_000_000 && !l.isExclusive(); i++) Thread.yield();
    assertThat(l.isExclusive()).as("the writer took the word and revoked the bias").isTrue();
    assertThat(l.isBiased()).isFalse();
    assertThat(got.getCount()).as("but waits for the biased reader").isEqualTo(1);
    assertThat(l.tryEnterShared(slots)).as("new readers wait for the writer").isEqualTo(PageLatch.REFUSED);
    assertThat(l.tryOptimistic()).isZero();
    l.exitShared(slots, slot);
    got.await();
    writer.join();
    assertThat(l.isHeld()).isFalse();
    assertThat(l.version()).isEqualTo(1);
  }

  @Test
  void aWriterDrainingBiasedReadersGivesUpWhenNoLongerWanted() throws Exception {
    ReaderSlots slots = new ReaderSlots(4);
    PageLatch l = new PageLatch(slots, 3);
    int slot = l.tryEnterShared(slots);
    java.util.concurrent.atomic.AtomicBoolean wanted = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.CompletableFuture<Boolean> got = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> l.acquireWhile(true, wanted::get));
    for (int i = 0; i < 1_000_000 && !l.isExclusive(); i++) Thread.yield();
    assertThat(l.isExclusive()).isTrue();
    wanted.set(false);
    assertThat(got.get(30, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
    assertThat(l.isExclusive()).isFalse();
    assertThat(l.isBiased()).as("backed out: the reader's slot is covered by the bias again").isTrue();
    assertThat(l.isHeld()).isTrue();
    assertThat(l.version()).isZero();
    l.exitShared(slots, slot);
    assertThat(l.isHeld()).isFalse();
  }

  enum BOp { B_PUBLISH, B_CONFIRM, B_EXIT, ENTER, X_LOCK, X_SCAN, X_SETTLE, TRY_EXCLUSIVE, RELEASE_EXCLUSIVE, DOWNGRADE, RELEASE_SHARED, STAMP, VALIDATE }

  /**
   * Programs for the biased path, its steps split where another thread's step can fall between them: a reader
   * publishing its slot and then re-reading the word (B_PUBLISH, B_CONFIRM), a writer's revocation (the word's
   * CAS, the look at the slots, keeping or backing out: X_LOCK, X_SCAN, X_SETTLE), the whole hit-path entry
   * (ENTER: slot or count, which also turns the bias back on), a downgrading writer and an optimistic reader.
   */
  static final BOp[][] BIASED_PROGRAMS = {
    {BOp.B_PUBLISH, BOp.B_CONFIRM, BOp.B_EXIT},
    {BOp.X_LOCK, BOp.X_SCAN, BOp.X_SETTLE, BOp.RELEASE_EXCLUSIVE},
    {BOp.ENTER, BOp.B_EXIT},
    {BOp.STAMP, BOp.B_PUBLISH, BOp.B_CONFIRM, BOp.VALIDATE},
    {BOp.TRY_EXCLUSIVE, BOp.DOWNGRADE, BOp.RELEASE_SHARED},
  };

  static final class BModel {
    boolean bias = true;
    int credit;
    int shared;
    int exclusiveOwner = -1;
    boolean settled; // the owner's exclusive acquire is complete (no revocation pending)
    long writes;
    final java.util.Set<Integer> published = new java.util.HashSet<>();
  }

  static final class BThr {
    final BOp[] program;
    int pc;
    int slot = -1;
    boolean biasedHeld;
    boolean countHeld;
    boolean exclusiveHeld;
    long prior;
    boolean gone;
    long stamp;
    long stampWrites = -1;
    BThr(BOp[] p) { program = p; }
  }

  /**
   * Every interleaving of three biased-path programs, from a reader-biased latch and from an unbiased one
   * whose next counted read turns the bias back on, against a model; after every step, the latch's word
   * and slots must match it and no writer may hold the latch with a reader in.
   */
  @Test
  void everyInterleavingOfTheBiasedPathMatchesTheModel() {
    int executions = 0;
    for (boolean startBiased : new boolean[] {true, false}) {
      for (int a = 0; a < BIASED_PROGRAMS.length; a++) {
        for (int b = 0; b < BIASED_PROGRAMS.length; b++) {
          for (int c = 0; c < BIASED_PROGRAMS.length; c++) {
            BOp[][] programs = {BIASED_PROGRAMS[a], BIASED_PROGRAMS[b], BIASED_PROGRAMS[c]};
            int steps = programs[0].length + programs[1].length + programs[2].length;
            executions += exploreBiased(programs, new int[steps], 0, new int[3], startBiased);
          }
        }
      }
    }
    assertThat(executions).isGreaterThan(100_000);
  }

  private int exploreBiased(BOp[][] programs, int[] schedule, int len, int[] used, boolean startBiased) {
    if (len == schedule.length) {
      runBiased(programs, schedule, startBiased);
      return 1;
    }
    int total = 0;
    for (int t = 0; t < programs.length; t++) {
      if (used[t] < programs[t].length) {
        schedule[len] = t;
        used[t]++;
        total += exploreBiased(programs, schedule, len + 1, used, startBiased);
        used[t]--;
      }
    }
    return total;
  }

  private static void runBiased(BOp[][] programs, int[] schedule, boolean startBiased) {
    ReaderSlots slots = new ReaderSlots(4);
    PageLatch l = new PageLatch(slots, 0);
    BModel m = new BModel();
    if (!startBiased) {
      l.acquireExclusive(); // revokes
      l.releaseExclusive();
      l.biasCredit = 1; // the next counted read turns the bias back on
      m.bias = false;
      m.credit = 1;
      m.writes = 1;
    }
    BThr[] ts = new BThr[programs.length];
    for (int i = 0; i < ts.length; i++) ts[i] = new BThr(programs[i]);
    for (int step = 0; step < schedule.length; step++) {
      int t = schedule[step];
      BThr th = ts[t];
      BOp op = th.program[th.pc++];
      switch (op) {
        case B_PUBLISH -> {
          th.slot = slots.publish(0);
          check(th.slot >= 0, schedule, step, "publish found a free slot");
          m.published.add(t);
        }
        case B_CONFIRM -> {
          boolean kept = l.confirmBiased(th.slot);
          check(kept == m.bias, schedule, step, "confirm keeps the slot iff the bias is on");
          if (kept) th.biasedHeld = true; else { m.published.remove(t); th.slot = -1; }
        }
        case ENTER -> {
          int how = l.tryEnterShared(slots);
          if (m.bias) {
            check(how >= 0, schedule, step, "biased entry takes a slot");
            th.slot = how;
            th.biasedHeld = true;
            m.published.add(t);
          } else if (m.exclusiveOwner >= 0) {
            check(how == PageLatch.REFUSED, schedule, step, "a writer refuses the entry");
          } else {
            check(how == PageLatch.COUNTED, schedule, step, "unbiased entry counts");
            th.countHeld = true;
            m.shared++;
            if (--m.credit <= 0) m.bias = true;
          }
        }
        case B_EXIT -> {
          if (th.biasedHeld) {
            l.exitShared(slots, th.slot);
            th.biasedHeld = false;
            m.published.remove(t);
          } else if (th.countHeld) {
            l.exitShared(slots, PageLatch.COUNTED);
            th.countHeld = false;
            m.shared--;
          }
        }
        case X_LOCK -> {
          long prior = l.lockWord();
          boolean expect = m.exclusiveOwner < 0 && m.shared == 0;
          check((prior != -1) == expect, schedule, step, "the word's CAS succeeds iff no writer and no count");
          if (expect) {
            check(((prior & PageLatch.RBIAS) != 0) == m.bias, schedule, step, "the CAS found the model's bias");
            th.prior = prior;
            m.exclusiveOwner = t;
            m.settled = !m.bias;
            th.exclusiveHeld = m.settled;
            m.bias = false;
          }
        }
        case X_SCAN -> {
          if (m.exclusiveOwner == t && !m.settled) {
            th.gone = l.readersGone();
            check(th.gone == m.published.isEmpty(), schedule, step, "the look sees every published slot");
          }
        }
        case X_SETTLE -> {
          if (m.exclusiveOwner == t && !m.settled) {
            boolean kept = l.settleExclusive(th.prior, th.gone, System.nanoTime());
            check(kept == th.gone, schedule, step, "kept iff no reader was seen");
            if (kept) {
              m.settled = true;
              th.exclusiveHeld = true;
              m.credit = l.biasCredit;
              check(m.credit >= PageLatch.MIN_CREDIT, schedule, step, "a revocation sets the credit");
            } else {
              m.exclusiveOwner = -1;
              m.bias = true;
            }
          }
        }
        case TRY_EXCLUSIVE -> {
          boolean expect = m.exclusiveOwner < 0 && m.shared == 0 && (!m.bias || m.published.isEmpty());
          check(l.tryAcquireExclusive() == expect, schedule, step, "try succeeds iff nobody holds or is publishing");
          if (expect) {
            if (m.bias) m.credit = l.biasCredit;
            m.bias = false;
            m.exclusiveOwner = t;
            m.settled = true;
            th.exclusiveHeld = true;
          }
        }
        case RELEASE_EXCLUSIVE -> {
          if (th.exclusiveHeld) {
            l.releaseExclusive();
            th.exclusiveHeld = false;
            m.exclusiveOwner = -1;
            m.writes++;
          }
        }
        case DOWNGRADE -> {
          if (th.exclusiveHeld) {
            l.downgrade();
            th.exclusiveHeld = false;
            th.countHeld = true;
            m.exclusiveOwner = -1;
            m.writes++;
            m.shared++;
          }
        }
        case RELEASE_SHARED -> {
          if (th.countHeld) {
            l.releaseShared();
            th.countHeld = false;
            m.shared--;
          }
        }
        case STAMP -> {
          th.stamp = l.tryOptimistic();
          check((th.stamp != 0) == (m.exclusiveOwner < 0), schedule, step, "stamp iff no writer");
          th.stampWrites = m.exclusiveOwner < 0 ? m.writes : -1;
        }
        case VALIDATE -> {
          boolean expect = th.stampWrites >= 0 && th.stampWrites == m.writes && m.exclusiveOwner < 0;
          check(l.validate(th.stamp) == expect, schedule, step, "validate");
        }
      }
      boolean readerIn = m.shared > 0;
      for (BThr x : ts) readerIn |= x.biasedHeld;
      check(!(m.exclusiveOwner >= 0 && m.settled && readerIn), schedule, step, "a writer and a reader both in");
      check(l.isExclusive() == (m.exclusiveOwner >= 0), schedule, step, "exclusive bit");
      check(l.sharedCount() == m.shared, schedule, step, "shared count");
      check(l.isBiased() == m.bias, schedule, step, "bias bit");
      check(l.version() == m.writes, schedule, step, "version");
      check(slots.count(0) == m.published.size(), schedule, step, "published slots");
      check(l.isHeld() == (m.exclusiveOwner >= 0 || m.shared > 0 || (m.bias && !m.published.isEmpty())),
          schedule, step, "isHeld");
    }
  }

  /** An assertion that builds its message only when it fails (millions of steps run). */
  private static void check(boolean ok, int[] schedule, int step, String what) {
    if (!ok) {
      throw new AssertionError(what + " at step " + step + " of schedule " + java.util.Arrays.toString(schedule));
    }
  }

  // ---------------------------------------------------------------- real races

  /** Two plain fields that only a writer changes, always to equal values. */
  static final class Guarded {
    long x;
    long y;

    /** A write a reader could see half done without the latch: x, a pause, then y; counted in {@code writes}. */
    void writeSlowly(AtomicLong writes) {
      long v = x + 1;
      x = v;
      Thread.onSpinWait();
      y = v;
      writes.incrementAndGet();
    }
  }

  /** One step of a race: thread {@code role}'s {@code i}-th operation. */
  private interface RaceStep {
    void run(int role, int i) throws Exception;
  }

  /**
   * Runs {@code threads} platform threads released together, each doing {@code iterations} steps (or until a
   * failure is recorded); an exception in a step is recorded as a failure. Returns when all have ended.
   */
  private static void race(int threads, int iterations, ConcurrentLinkedQueue<String> failures, RaceStep step)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int role = t;
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
          for (int i = 0; i < iterations && failures.isEmpty(); i++) step.run(role, i);
        } catch (Throwable e) {
          failures.add(e.toString());
        }
      }));
    }
    start.countDown();
    for (Thread t : ts) t.join();
  }

  @Test
  void racingThreadsKeepTheInvariants() throws Exception {
    PageLatch l = newLatch();
    Guarded g = new Guarded();
    int threads = 4;
    int iterations = 100_000;
    AtomicLong writes = new AtomicLong();
    AtomicLong validatedOptimistic = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    race(threads, iterations, failures, (role, i) -> {
      switch ((role + i) % 4) {
        case 0 -> {
          l.acquireExclusive();
          g.writeSlowly(writes);
          l.releaseExclusive();
        }
        case 1 -> {
          l.acquireShared();
          if (g.x != g.y) failures.add("shared reader saw x=" + g.x + " y=" + g.y);
          l.releaseShared();
        }
        case 2 -> {
          long s = l.tryOptimistic();
          long x = g.x;
          long y = g.y;
          if (l.validate(s)) {
            validatedOptimistic.incrementAndGet();
            if (x != y) failures.add("validated optimistic read saw x=" + x + " y=" + y);
          }
        }
        default -> {
          l.acquireExclusive();
          long v = g.x + 1;
          g.x = v;
          g.y = v;
          writes.incrementAndGet();
          l.downgrade();
          if (g.x != v || g.y != v) failures.add("a writer changed the page during a downgraded read");
          l.releaseShared();
        }
      }
    });
    assertThat(failures).isEmpty();
    assertThat(g.x).isEqualTo(writes.get());
    assertThat(g.y).isEqualTo(writes.get());
    assertThat(l.isHeld()).isFalse();
    assertThat(l.version()).isEqualTo(writes.get());
    assertThat(validatedOptimistic.get()).isGreaterThan(0);
  }

  /**
   * Real threads on the biased path: readers through {@link PageLatch#tryEnterShared} (a slot while biased, the
   * count otherwise), blocking writers (which revoke and wait for slots to drain), trying writers (which back
   * out on finding a slot) and optimistic readers. A reader must never see a half-done write, the biased path
   * must have been taken, and at the end nothing is held.
   */
  @Test
  void racingBiasedReadersAndRevokingWritersKeepTheInvariants() throws Exception {
    ReaderSlots slots = new ReaderSlots(8);
    PageLatch l = new PageLatch(slots, 5);
    Guarded g = new Guarded();
    int threads = 4;
    int iterations = 200_000;
    AtomicLong writes = new AtomicLong();
    AtomicLong biased = new AtomicLong();
    AtomicLong backedOut = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    race(threads, iterations, failures, (role, i) -> {
      int k = (role * 17 + i) % 64;
      if (k == 0) {
        l.acquireExclusive();
        g.writeSlowly(writes);
        l.releaseExclusive();
      } else if (k == 32) {
        if (l.tryAcquireExclusive()) {
          long v = g.x + 1;
          g.x = v;
          g.y = v;
          writes.incrementAndGet();
          l.releaseExclusive();
        } else if (l.isBiased()) {
          backedOut.incrementAndGet(); // most likely a biased reader's slot refused it
        }
      } else if (k % 8 == 1) {
        long s = l.tryOptimistic();
        long x = g.x;
        long y = g.y;
        if (l.validate(s) && x != y) failures.add("validated optimistic read saw x=" + x + " y=" + y);
      } else {
        int how;
        while ((how = l.tryEnterShared(slots)) == PageLatch.REFUSED) Thread.onSpinWait();
        if (how >= 0) biased.incrementAndGet();
        long x = g.x;
        Thread.onSpinWait();
        if (x != g.y || x != g.x) failures.add("reader (" + (how >= 0 ? "biased" : "counted") + ") saw x=" + x + " y=" + g.y);
        l.exitShared(slots, how);
      }
    });
    assertThat(failures).isEmpty();
    assertThat(g.x).isEqualTo(writes.get());
    assertThat(g.y).isEqualTo(writes.get());
    assertThat(l.version()).isEqualTo(writes.get());
    assertThat(l.isHeld()).isFalse();
    assertThat(slots.count(5)).isZero();
    assertThat(biased.get()).as("readers took the biased path").isGreaterThan(0);
    assertThat(writes.get()).isGreaterThan(0);
    System.out.println("PageLatchTest biased race: " + biased.get() + " biased reads, " + writes.get() + " writes, "
        + backedOut.get() + " tries refused while biased");
  }

  @Test
  void aWaitingWriterWakesWhenARefusedReaderBacksOut() throws Exception {
    PageLatch l = newLatch();
    l.acquireExclusive();
    long found = l.addShared(); // a reader counts itself in while the writer holds the latch...
    assertThat(found & PageLatch.EXCLUSIVE).isNotZero();
    l.releaseExclusive(); // ...the writer leaves before the reader backs out
    Thread writer = Thread.ofPlatform().start(() -> {
      l.acquireExclusive(); // sees the reader's count: spins, then waits
      l.releaseExclusive();
    });
    for (int i = 0; i < 1_000_000 && writer.getState() != Thread.State.WAITING; i++) Thread.yield();
    assertThat(writer.getState()).as("writer parked on the monitor").isEqualTo(Thread.State.WAITING);
    assertThat(l.settleSharedAdd(found)).as("the add found a writer: refused").isFalse();
    writer.join(); // the back-out was the last thing in the writer's way: it must have been woken
    assertThat(l.isHeld()).isFalse();
    assertThat(l.version()).isEqualTo(2);
  }

  @Test
  void tooManySharedHoldersIsRefusedWithoutCorruptingTheLatch() {
    PageLatch l = newLatch();
    for (int i = 0; i < PageLatch.SHARED_LIMIT; i++) assertThat(l.tryAcquireShared()).isTrue();
    assertThatThrownBy(l::tryAcquireShared).isInstanceOf(IllegalStateException.class);
    assertThat(l.sharedCount()).isEqualTo(PageLatch.SHARED_LIMIT);
    for (int i = 0; i < PageLatch.SHARED_LIMIT; i++) l.releaseShared();
    assertThat(l.isHeld()).isFalse();
    assertThat(l.tryAcquireExclusive()).isTrue();
    l.releaseExclusive();
    assertThat(l.version()).isEqualTo(1);
  }

  @Test
  void aBlockedReaderWakesWhenTheWriterLeaves() throws Exception {
    PageLatch l = newLatch();
    l.acquireExclusive();
    CountDownLatch done = new CountDownLatch(1);
    Thread reader = Thread.ofPlatform().start(() -> {
      l.acquireShared();
      l.releaseShared();
      done.countDown();
    });
    for (int i = 0; i < 1_000_000 && reader.getState() != Thread.State.WAITING; i++) Thread.yield();
    assertThat(reader.getState()).as("reader parked on the monitor").isEqualTo(Thread.State.WAITING);
    l.releaseExclusive();
    done.await();
    reader.join();
    assertThat(l.isHeld()).isFalse();

    l.acquireShared();
    Thread writer = Thread.ofPlatform().start(() -> {
      l.acquireExclusive();
      l.releaseExclusive();
    });
    for (int i = 0; i < 1_000_000 && writer.getState() != Thread.State.WAITING; i++) Thread.yield();
    assertThat(writer.getState()).as("writer parked on the monitor").isEqualTo(Thread.State.WAITING);
    l.releaseShared();
    writer.join();
    assertThat(l.version()).isEqualTo(2);
  }

  /**
   * A waiter whose reason to wait goes away (the frame it looked up was handed to another page) gives up
   * while the latch is still held, holding nothing: it must not wait for the new holder, which may be
   * waiting for a latch the waiter holds.
   */
  @Test
  void acquireWhileGivesUpWhenTheLatchNoLongerGuardsWhatTheWaiterWants() throws Exception {
    for (boolean exclusive : new boolean[] {true, false}) {
      PageLatch latch = newLatch();
      latch.acquireExclusive(); // the frame's new holder, which never lets go during the test
      java.util.concurrent.atomic.AtomicBoolean wanted = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.CompletableFuture<Boolean> got = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> latch.acquireWhile(exclusive, wanted::get));
      for (int i = 0; i < 200 && !got.isDone(); i++) Thread.onSpinWait(); // it waits while wanted
      assertThat(got.isDone()).isFalse();
      wanted.set(false);
      assertThat(got.get(30, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
      assertThat(latch.isExclusive()).isTrue();
      assertThat(latch.sharedCount()).isZero();
      latch.releaseExclusive();
      assertThat(latch.acquireWhile(exclusive, () -> true)).isTrue(); // free: taken at once
    }
  }
}
