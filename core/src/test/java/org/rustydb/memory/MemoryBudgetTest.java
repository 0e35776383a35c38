package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.rustydb.OperationFailedException;

class MemoryBudgetTest {

  @Test
  void reserveAndRelease() {
    MemoryBudget b = new MemoryBudget(1000);
    b.reserve(600, "test");
    assertThat(b.used()).isEqualTo(600);
    assertThat(b.available()).isEqualTo(400);
    assertThat(b.pressure()).isEqualTo(0.6);
    assertThat(b.tryReserve(500)).isFalse();
    assertThatThrownBy(() -> b.reserve(500, "a sort buffer")).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("memory budget of 1000 bytes exceeded: a sort buffer needs 500 bytes")
        .hasMessageContaining("600 bytes in use");
    b.release(600);
    assertThat(b.used()).isZero();
    assertThat(b.peak()).isEqualTo(600);
    assertThatThrownBy(() -> b.release(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.reserve(-1, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MemoryBudget(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reclaimersAreAskedForTheShortfallBeforeFailing() {
    MemoryBudget b = new MemoryBudget(1000);
    b.reserve(900, "pool frames");
    List<String> calls = new CopyOnWriteArrayList<>();
    b.addReclaimer((wanted, urgency) -> {
      calls.add("first " + wanted + " " + urgency);
      b.release(100);
      return 100;
    });
    MemoryBudget.Registration second = b.addReclaimer((wanted, urgency) -> {
      calls.add("second " + wanted + " " + urgency);
      b.release(wanted);
      return wanted;
    });
    b.reserve(300, "arena chunk"); // short by 200: the first gives 100, the second the other 100
    assertThat(calls).containsExactly("first 200 AGGRESSIVE", "second 100 AGGRESSIVE");
    assertThat(b.used()).isEqualTo(1000);
    second.close();
    calls.clear();
    assertThatThrownBy(() -> b.reserve(500, "large object")).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("100 bytes reclaimed");
    assertThat(calls).containsExactly("first 500 AGGRESSIVE");
    assertThat(b.used()).isEqualTo(900);
  }

  @Test
  void aReclaimerThatReservesDoesNotRecurse() {
    MemoryBudget b = new MemoryBudget(100);
    b.reserve(100, "x");
    AtomicLong calls = new AtomicLong();
    b.addReclaimer((wanted, urgency) -> {
      calls.incrementAndGet();
      assertThatThrownBy(() -> b.reserve(10, "inside")).isInstanceOf(OperationFailedException.class);
      return 0;
    });
    assertThatThrownBy(() -> b.reserve(10, "outside")).isInstanceOf(OperationFailedException.class);
    assertThat(calls.get()).isEqualTo(1);
  }

  /** Many threads reserve and release while a reclaimer hands back cached memory: the limit always holds. */
  @Test
  void neverExceededUnderConcurrentPressure() throws Exception {
    long seed = LiveBlocks.seed("neverExceededUnderConcurrentPressure");
    MemoryBudget b = new MemoryBudget(1_000_000);
    ConcurrentLinkedQueue<Long> cache = new ConcurrentLinkedQueue<>(); // reservations a reclaimer may drop
    b.addReclaimer((wanted, urgency) -> {
      long got = 0;
      for (Long r; got < wanted && (r = cache.poll()) != null; ) {
        b.release(r);
        got += r;
      }
      return got;
    });
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong maxSeen = new AtomicLong();
    Thread watcher = new Thread(() -> {
      while (!done.get()) maxSeen.accumulateAndGet(b.used(), Math::max);
    });
    watcher.start();
    AtomicLong failures = new AtomicLong();
    AtomicReference<Throwable> error = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        Random rnd = new Random(seed + id);
        List<Long> mine = new ArrayList<>();
        try {
          for (int i = 0; i < 50_000; i++) {
            if (mine.isEmpty() || rnd.nextInt(3) > 0) {
              long n = 1 + rnd.nextInt(50_000);
              try {
                b.reserve(n, "test");
                if (rnd.nextInt(4) == 0) cache.add(n); else mine.add(n);
              } catch (OperationFailedException e) {
                failures.incrementAndGet();
              }
            } else {
              b.release(mine.remove(mine.size() - 1));
            }
          }
          for (long n : mine) b.release(n);
        } catch (Throwable e) {
          error.compareAndSet(null, e);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) th.join();
    done.set(true);
    watcher.join();
    if (error.get() != null) throw new AssertionError("seed " + seed, error.get());
    assertThat(maxSeen.get()).isLessThanOrEqualTo(1_000_000);
    assertThat(b.peak()).isLessThanOrEqualTo(1_000_000).isGreaterThan(900_000);
    assertThat(failures.get()).as("pressure was real").isPositive();
    long cached = 0;
    for (Long r : cache) cached += r;
    assertThat(b.used()).isEqualTo(cached);
  }

  /** The real allocators, from many threads, against one small budget: it holds, failures are clear. */
  @Test
  void allocatorsTogetherNeverPassTheBudget() throws Exception {
    long seed = LiveBlocks.seed("allocatorsTogetherNeverPassTheBudget");
    long limit = 48 * Sizes.MiB;
    try (MemoryManager mm = MemoryManager.open(MemoryOptions.builder().budgetBytes(limit)
        .slabRegionBytes(Sizes.MiB).slabBytes(64 * 1024).forecastInterval(java.time.Duration.ZERO).build())) {
      MemoryBudget b = mm.budget();
      AtomicBoolean done = new AtomicBoolean();
      AtomicLong maxSeen = new AtomicLong();
      Thread watcher = new Thread(() -> {
        while (!done.get()) maxSeen.accumulateAndGet(b.used(), Math::max);
      });
      watcher.start();
      AtomicLong budgetFailures = new AtomicLong();
      AtomicReference<Throwable> error = new AtomicReference<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          Random rnd = new Random(seed + id);
          List<MemorySegment> slabs = new ArrayList<>();
          List<MemorySegment> larges = new ArrayList<>();
          try {
            start.await();
            for (int i = 0; i < 400; i++) {
              try {
                switch (rnd.nextInt(3)) {
                  case 0 -> {
                    for (int k = 0; k < 50; k++) slabs.add(mm.slab().allocate(1 + rnd.nextInt(4096)));
                    while (slabs.size() > 2000) mm.slab().free(slabs.remove(rnd.nextInt(slabs.size())));
                  }
                  case 1 -> {
                    try (TransactionArena a = mm.arenas().acquire(TransactionProfile.values()[rnd.nextInt(4)])) {
                      for (int k = 0; k < 20; k++) a.allocate(1 + rnd.nextInt(200_000));
                    }
                  }
                  default -> {
                    if (larges.size() > 2 || (!larges.isEmpty() && rnd.nextBoolean())) {
                      mm.freeLarge(larges.remove(rnd.nextInt(larges.size())));
                    } else {
                      larges.add(mm.allocateLarge(Sizes.MiB + rnd.nextInt((int) (6 * Sizes.MiB))));
                    }
                  }
                }
              } catch (OperationFailedException e) {
                if (!e.getMessage().contains("memory budget of 48 MiB exceeded")
                    && !e.getMessage().contains("transaction arena limit reached")) {
                  throw e;
                }
                if (e.getMessage().contains("memory budget")) budgetFailures.incrementAndGet();
              }
            }
            for (MemorySegment s : slabs) mm.slab().free(s);
            for (MemorySegment s : larges) mm.freeLarge(s);
          } catch (Throwable e) {
            error.compareAndSet(null, e);
          }
        });
        threads.add(th);
        th.start();
      }
      start.countDown();
      for (Thread th : threads) th.join();
      done.set(true);
      watcher.join();
      if (error.get() != null) throw new AssertionError("seed " + seed, error.get());
      assertThat(maxSeen.get()).isLessThanOrEqualTo(limit);
      assertThat(b.peak()).isLessThanOrEqualTo(limit);
      assertThat(budgetFailures.get()).as("the budget was reached").isPositive();
      assertThat(mm.stats().slabAllocated()).isZero();
      assertThat(mm.stats().largeObjectAllocated()).isZero();
    }
  }
}
