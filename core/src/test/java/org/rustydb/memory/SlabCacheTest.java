package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.rustydb.ClosedException;

/** The slab allocator's thread caches: the address API, depot exchange between threads, cache lookup, close. */
class SlabCacheTest {

  private static final long MiB = Sizes.MiB;

  /**
   * Random allocations and frees on one cache handle against a model, in phases that grow and shrink
   * the live set by thousands of blocks (so the stacks overflow into and refill from the depot), with
   * double frees and interior pointers thrown in: no overlap, alignment, contents kept, exact accounting.
   */
  @Test
  void localRandomAllocFreeMatchesTheModel() {
    long seed = LiveBlocks.seed("localRandomAllocFreeMatchesTheModel");
    Random rnd = new Random(seed);
    MemoryBudget budget = new MemoryBudget(64 * MiB);
    try (SlabAllocator slab = new SlabAllocator(budget, MiB, 64 * 1024)) {
      SlabAllocator.Local local = slab.local();
      LiveBlocks model = new LiveBlocks();
      List<long[]> live = new ArrayList<>(); // {address, size}
      Set<Long> freed = new HashSet<>(); // freed and not handed out again
      long classBytes = 0;
      long allocations = 0;
      for (int step = 0; step < 60_000; step++) {
        int allocPercent = (step / 4000) % 2 == 0 ? 70 : 30;
        int op = rnd.nextInt(100);
        if (op < 2 && !freed.isEmpty()) {
          long a = freed.iterator().next();
          assertThatThrownBy(() -> local.free(a)).as("seed %d step %d", seed, step)
              .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("double free");
        } else if (op < 4 && !live.isEmpty()) {
          long[] b = live.get(rnd.nextInt(live.size()));
          long wrong = SlabAllocator.sizeClassOf(b[1]) > 64 && rnd.nextBoolean() ? b[0] + 64 : b[0] + 8;
          assertThatThrownBy(() -> local.free(wrong)).as("seed %d step %d", seed, step)
              .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("foreign free");
        } else if (live.isEmpty() || op < allocPercent) {
          long size = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 4096 : 128);
          long a = local.allocate(size);
          assertThat(a % 64).as("alignment").isZero();
          model.add(slab.segment(a, size), (byte) step);
          live.add(new long[] {a, size});
          freed.remove(a);
          classBytes += SlabAllocator.sizeClassOf(size);
          allocations++;
        } else {
          long[] b = live.remove(rnd.nextInt(live.size()));
          model.remove(slab.segment(b[0], b[1]));
          local.free(b[0]);
          freed.add(b[0]);
          classBytes -= SlabAllocator.sizeClassOf(b[1]);
        }
        if (step % 1000 == 0) {
          assertThat(slab.allocatedBytes()).as("allocated bytes at step %d, seed %d", step, seed).isEqualTo(classBytes);
          assertThat(slab.freeBytes() + slab.allocatedBytes()).isEqualTo(slab.reservedBytes());
          assertThat(budget.used()).isEqualTo(slab.reservedBytes());
          assertThat(slab.allocations()).isEqualTo(allocations);
          assertThat(slab.fastPathHits()).isLessThan(allocations).isGreaterThanOrEqualTo(allocations / 2);
        }
      }
      for (long[] b : live) {
        model.remove(slab.segment(b[0], b[1]));
        local.free(b[0]);
      }
      assertThat(slab.allocatedBytes()).isZero();
      // Everything is free again: as many blocks once more need no new region.
      long reserved = slab.reservedBytes();
      List<Long> again = new ArrayList<>();
      for (long[] b : live) again.add(local.allocate(b[1]));
      assertThat(slab.reservedBytes()).isEqualTo(reserved);
      for (long a : again) local.free(a);
      assertThat(slab.allocatedBytes()).isZero();
    }
  }

  /**
   * A thread that alternates allocations and frees right at a magazine boundary stays on its fast path:
   * the two magazines of its stack absorb the swing, as in Bonwick's loaded/previous pair.
   */
  @Test
  void alternatingAtAMagazineBoundaryNeverGoesToTheDepot() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * MiB))) {
      SlabAllocator.Local local = slab.local();
      List<Long> blocks = new ArrayList<>();
      for (int i = 0; i < 129; i++) blocks.add(local.allocate(64)); // 64-byte magazines hold 128
      long slow = slab.allocations() - slab.fastPathHits();
      assertThat(slow).as("one refill per magazine").isEqualTo(2);
      for (int i = 0; i < 1000; i++) local.free(local.allocate(64));
      for (long a : blocks) local.free(a); // 129 more on the stack: still within two magazines
      for (int i = 0; i < 1000; i++) local.free(local.allocate(64));
      assertThat(slab.allocations() - slab.fastPathHits()).isEqualTo(slow);
      assertThat(slab.allocatedBytes()).isZero();
    }
  }

  /**
   * Producers allocate, consumers free: the consumers' stacks overflow into the depot and the producers
   * refill from it. The blocks handed through are far more than the budget could carve, so this only
   * passes if freed blocks travel back through the depot.
   */
  @Test
  void threadsExchangeBlocksThroughTheDepot() throws Exception {
    long seed = LiveBlocks.seed("threadsExchangeBlocksThroughTheDepot");
    MemoryBudget budget = new MemoryBudget(8 * MiB);
    int producers = 2;
    int consumers = 2;
    int perProducer = 40_000;
    long[] poison = {0, 0};
    try (SlabAllocator slab = new SlabAllocator(budget, MiB, 64 * 1024)) {
      BlockingQueue<long[]> queue = new ArrayBlockingQueue<>(256);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> producing = new ArrayList<>();
      List<Thread> consuming = new ArrayList<>();
      long[] handedBytes = new long[producers];
      for (int p = 0; p < producers; p++) {
        int id = p;
        producing.add(Thread.ofPlatform().start(() -> {
          try {
            Random rnd = new Random(seed + id);
            SlabAllocator.Local local = slab.local();
            for (int i = 0; i < perProducer; i++) {
              // Two classes: 64 bytes (128-block magazines) and 4096 (64-block magazines).
              long size = rnd.nextBoolean() ? 16 + rnd.nextInt(49) : 2049 + rnd.nextInt(2048);
              long a = local.allocate(size);
              MemorySegment s = slab.segment(a, size);
              s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, a);
              s.set(ValueLayout.JAVA_BYTE, size - 1, (byte) a);
              handedBytes[id] += SlabAllocator.sizeClassOf(size);
              queue.put(new long[] {a, size});
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      for (int c = 0; c < consumers; c++) {
        consuming.add(Thread.ofPlatform().start(() -> {
          SlabAllocator.Local local = slab.local();
          while (true) {
            long[] b;
            try {
              b = queue.take();
            } catch (InterruptedException e) {
              failure.compareAndSet(null, e);
              return;
            }
            if (b == poison) return;
            try { // on a failure keep draining, so that no producer waits forever
              MemorySegment s = slab.segment(b[0], b[1]);
              if (s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != b[0] || s.get(ValueLayout.JAVA_BYTE, b[1] - 1) != (byte) b[0]) {
                throw new AssertionError("block at 0x" + Long.toHexString(b[0]) + " was overwritten");
              }
              local.free(b[0]);
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            }
          }
        }));
      }
      for (Thread t : producing) t.join();
      for (int c = 0; c < consumers; c++) queue.put(poison);
      for (Thread t : consuming) t.join();
      if (failure.get() != null) throw new AssertionError("seed " + seed, failure.get());
      assertThat(handedBytes[0] + handedBytes[1]).as("far more than the budget").isGreaterThan(10 * budget.limit());
      assertThat(slab.allocations()).isEqualTo((long) producers * perProducer);
      assertThat(slab.fastPathHits()).as("producers refilled from the depot").isLessThan(slab.allocations());
      assertThat(slab.allocatedBytes()).isZero();
      assertThat(budget.used()).isEqualTo(slab.reservedBytes()).isLessThanOrEqualTo(budget.limit());
    }
  }

  /**
   * The segment API finds a thread's cache through a table by thread id: a second live thread whose id
   * lands in the same slot must get a cache of its own, and the first must find its own again.
   */
  @Test
  void threadsSharingACacheSlotKeepTheirOwnCaches() throws Exception {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * MiB))) {
      CountDownLatch firstFreed = new CountDownLatch(1);
      CountDownLatch secondDone = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long[] first = new long[2];
      Thread one = Thread.ofPlatform().unstarted(() -> {
        try {
          MemorySegment s = slab.allocate(64);
          first[0] = s.address();
          slab.free(s); // on top of this thread's stack
          firstFreed.countDown();
          secondDone.await();
          MemorySegment again = slab.allocate(64);
          first[1] = again.address();
          slab.free(again);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      long[] second = new long[1];
      Runnable secondBody = () -> {
        try {
          MemorySegment s = slab.allocate(64);
          second[0] = s.address();
          slab.free(s);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          secondDone.countDown();
        }
      };
      // A thread whose id is congruent to the first's modulo 64: the same slot of the 64-slot table.
      Thread other;
      do {
        other = Thread.ofPlatform().unstarted(secondBody); // never started unless its id fits
      } while ((other.threadId() - one.threadId()) % 64 != 0);
      one.start();
      firstFreed.await();
      other.start();
      other.join();
      one.join();
      if (failure.get() != null) throw new AssertionError(failure.get());
      assertThat(second[0]).as("the second thread did not pop the first's stack").isNotEqualTo(first[0]);
      assertThat(first[1]).as("the first thread found its own stack again").isEqualTo(first[0]);
      assertThat(slab.allocatedBytes()).isZero();
    }
  }

  /** More live threads than table slots, all on the segment API at once: no block is handed out twice. */
  @Test
  void moreThreadsThanCacheSlotsAllocateConcurrently() throws Exception {
    long seed = LiveBlocks.seed("moreThreadsThanCacheSlotsAllocateConcurrently");
    int threads = 100;
    MemoryBudget budget = new MemoryBudget(512 * MiB);
    try (SlabAllocator slab = new SlabAllocator(budget, MiB, 64 * 1024)) {
      CyclicBarrier start = new CyclicBarrier(threads);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts.add(Thread.ofPlatform().start(() -> {
          try {
            Random rnd = new Random(seed + id);
            List<MemorySegment> live = new ArrayList<>();
            start.await();
            for (int i = 0; i < 2_000; i++) {
              if (live.isEmpty() || rnd.nextInt(10) < 6) {
                MemorySegment s = slab.allocate(8 + rnd.nextInt(rnd.nextBoolean() ? 120 : 4088));
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, s.address());
                live.add(s);
              } else {
                free(slab, live.remove(rnd.nextInt(live.size())));
              }
            }
            for (MemorySegment s : live) free(slab, s);
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      for (Thread t : ts) t.join();
      if (failure.get() != null) throw new AssertionError("seed " + seed, failure.get());
      assertThat(slab.allocatedBytes()).isZero();
      assertThat(budget.used()).isEqualTo(slab.reservedBytes());
    }
  }

  private static void free(SlabAllocator slab, MemorySegment s) {
    if (s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != s.address()) {
      throw new AssertionError("block at 0x" + Long.toHexString(s.address()) + " was overwritten");
    }
    slab.free(s);
  }

  /**
   * A thread whose use of its cache is ordered after close() on another thread gets ClosedException from
   * every path, the fast ones included, and its old blocks fail on access instead of crashing.
   */
  @Test
  void useAfterCloseOnAnotherThreadIsClosedException() throws Exception {
    MemoryBudget budget = new MemoryBudget(16 * MiB);
    SlabAllocator slab = new SlabAllocator(budget);
    CountDownLatch ready = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    List<Throwable> errors = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = Thread.ofPlatform().start(() -> {
      try {
        SlabAllocator.Local local = slab.local();
        long a = local.allocate(64);
        local.free(local.allocate(64)); // a free block on the stack: the next allocation is a fast one
        MemorySegment s = slab.allocate(128);
        slab.free(slab.allocate(128));
        ready.countDown();
        closed.await();
        List<Runnable> uses = List.of(
            () -> local.allocate(64),
            () -> local.free(a),
            () -> slab.segment(a, 8),
            () -> slab.allocate(128),
            () -> slab.free(s),
            () -> s.get(ValueLayout.JAVA_BYTE, 0));
        for (Runnable use : uses) {
          try {
            use.run();
            errors.add(null);
          } catch (Throwable e) {
            errors.add(e);
          }
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    ready.await();
    slab.close();
    assertThat(budget.used()).isZero();
    closed.countDown();
    t.join();
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertThat(errors).hasSize(6);
    for (int i = 0; i < 5; i++) assertThat(errors.get(i)).as("use %d", i).isInstanceOf(ClosedException.class);
    assertThat(errors.get(5)).isInstanceOf(IllegalStateException.class);
  }
}
