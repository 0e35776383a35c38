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

  @Test
  void sequentialProtocol() {
    PageLatch l = new PageLatch();
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
    PageLatch l = new PageLatch();
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

  // ---------------------------------------------------------------- real races

  /** Two plain fields that only a writer changes, always to equal values. */
  static final class Guarded {
    long x;
    long y;
  }

  @Test
  void racingThreadsKeepTheInvariants() throws Exception {
    PageLatch l = new PageLatch();
    Guarded g = new Guarded();
    int threads = 4;
    int iterations = 100_000;
    AtomicLong writes = new AtomicLong();
    AtomicLong validatedOptimistic = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int role = t;
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
          for (int i = 0; i < iterations && failures.isEmpty(); i++) {
            switch ((role + i) % 4) {
              case 0 -> {
                l.acquireExclusive();
                long v = g.x + 1;
                g.x = v;
                Thread.onSpinWait();
                g.y = v;
                writes.incrementAndGet();
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
          }
        } catch (Throwable e) {
          failures.add(e.toString());
        }
      }));
    }
    start.countDown();
    for (Thread t : ts) t.join();
    assertThat(failures).isEmpty();
    assertThat(g.x).isEqualTo(writes.get());
    assertThat(g.y).isEqualTo(writes.get());
    assertThat(l.isHeld()).isFalse();
    assertThat(l.version()).isEqualTo(writes.get());
    assertThat(validatedOptimistic.get()).isGreaterThan(0);
  }

  @Test
  void aWaitingWriterWakesWhenARefusedReaderBacksOut() throws Exception {
    PageLatch l = new PageLatch();
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
    PageLatch l = new PageLatch();
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
    PageLatch l = new PageLatch();
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
      PageLatch latch = new PageLatch();
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
