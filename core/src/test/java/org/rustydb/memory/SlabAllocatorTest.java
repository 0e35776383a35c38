package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

class SlabAllocatorTest {

  private static final int[] CLASSES = {64, 128, 192, 256, 384, 512, 1024, 2048, 4096};

  @Test
  void sizeClassesAreTheSpecs() {
    assertThat(SlabAllocator.sizeClasses()).containsExactly(CLASSES);
    assertThat(SlabAllocator.sizeClassOf(1)).isEqualTo(64);
    assertThat(SlabAllocator.sizeClassOf(64)).isEqualTo(64);
    assertThat(SlabAllocator.sizeClassOf(65)).isEqualTo(128);
    assertThat(SlabAllocator.sizeClassOf(129)).isEqualTo(192);
    assertThat(SlabAllocator.sizeClassOf(300)).isEqualTo(384);
    assertThat(SlabAllocator.sizeClassOf(513)).isEqualTo(1024);
    assertThat(SlabAllocator.sizeClassOf(4096)).isEqualTo(4096);
    assertThatThrownBy(() -> SlabAllocator.sizeClassOf(4097)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LargeObjectAllocator");
    assertThatThrownBy(() -> SlabAllocator.sizeClassOf(0)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Random alloc/free against a model: no overlap, alignment, contents kept, accounting, reuse. */
  @Test
  void randomAllocFreeMatchesTheModel() {
    long seed = LiveBlocks.seed("randomAllocFreeMatchesTheModel");
    Random rnd = new Random(seed);
    MemoryBudget budget = new MemoryBudget(64 * Sizes.MiB);
    try (SlabAllocator slab = new SlabAllocator(budget, Sizes.MiB, 64 * 1024)) {
      LiveBlocks model = new LiveBlocks();
      List<MemorySegment> live = new ArrayList<>();
      long classBytes = 0;
      for (int step = 0; step < 40_000; step++) {
        if (live.isEmpty() || rnd.nextInt(100) < 55) {
          long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 256 : 4096);
          MemorySegment s = slab.allocate(size);
          assertThat(s.byteSize()).isEqualTo(size);
          assertThat(s.address() % 64).as("alignment").isZero();
          model.add(s, (byte) step);
          live.add(s);
          classBytes += SlabAllocator.sizeClassOf(size);
        } else {
          MemorySegment s = live.remove(rnd.nextInt(live.size()));
          model.remove(s);
          slab.free(s);
          classBytes -= SlabAllocator.sizeClassOf(s.byteSize());
        }
        if (step % 1000 == 0) {
          assertThat(slab.allocatedBytes()).as("allocated bytes at step %d", step).isEqualTo(classBytes);
          assertThat(slab.freeBytes() + slab.allocatedBytes()).isEqualTo(slab.reservedBytes());
          assertThat(budget.used()).isEqualTo(slab.reservedBytes());
        }
      }
      List<Long> sizes = new ArrayList<>();
      for (MemorySegment s : live) {
        sizes.add(s.byteSize());
        model.remove(s);
        slab.free(s);
      }
      assertThat(slab.allocatedBytes()).isZero();
      // Reuse: allocating the same blocks again is served from freed blocks, with no new region.
      long reserved = slab.reservedBytes();
      List<MemorySegment> again = new ArrayList<>();
      for (long size : sizes) again.add(slab.allocate(size));
      assertThat(slab.reservedBytes()).isEqualTo(reserved);
      for (MemorySegment s : again) slab.free(s);
    }
  }

  @Test
  void freedBlocksAreReusedFirst() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * Sizes.MiB))) {
      MemorySegment a = slab.allocate(100);
      long address = a.address();
      slab.free(a);
      assertThat(slab.allocate(120).address()).as("LIFO magazine gives the freed block back").isEqualTo(address);
    }
  }

  @Test
  void fastPathServesRepeatedAllocations() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * Sizes.MiB))) {
      for (int i = 0; i < 10_000; i++) slab.free(slab.allocate(64));
      assertThat(slab.allocations()).isEqualTo(10_000);
      // Only the first allocation of a class needs the depot or the slabs.
      assertThat(slab.fastPathHits()).isEqualTo(9_999);
    }
  }

  @Test
  void doubleFreeIsDetected() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * Sizes.MiB))) {
      MemorySegment a = slab.allocate(64);
      MemorySegment keep = slab.allocate(64);
      slab.free(a);
      assertThatThrownBy(() -> slab.free(a)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("double free");
      // The failed free changed nothing: the next allocation gets a once, not twice.
      MemorySegment b = slab.allocate(64);
      MemorySegment c = slab.allocate(64);
      assertThat(b.address()).isNotEqualTo(c.address());
      assertThat(List.of(b.address(), c.address())).doesNotContain(keep.address());
    }
  }

  /** Without -ea the check uses plain loads and stores: a double free is still caught (outside races). */
  @Test
  void doubleFreeIsDetectedWithAssertionsOff() throws Exception {
    java.net.URL classes = SlabAllocator.class.getProtectionDomain().getCodeSource().getLocation();
    try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {classes}, null)) {
      loader.setDefaultAssertionStatus(false);
      Class<?> budgetClass = loader.loadClass(MemoryBudget.class.getName());
      Class<?> slabClass = loader.loadClass(SlabAllocator.class.getName());
      assertThat(slabClass.desiredAssertionStatus()).isFalse();
      Object budget = budgetClass.getConstructor(long.class).newInstance(16 * Sizes.MiB);
      Object slab = slabClass.getConstructor(budgetClass).newInstance(budget);
      var allocate = slabClass.getMethod("allocate", long.class);
      var free = slabClass.getMethod("free", MemorySegment.class);
      MemorySegment a = (MemorySegment) allocate.invoke(slab, 64L);
      free.invoke(slab, a);
      assertThatThrownBy(() -> free.invoke(slab, a)).hasRootCauseInstanceOf(IllegalArgumentException.class)
          .rootCause().hasMessageContaining("double free");
      MemorySegment b = (MemorySegment) allocate.invoke(slab, 64L);
      MemorySegment c = (MemorySegment) allocate.invoke(slab, 64L);
      assertThat(b.address()).isNotEqualTo(c.address());
      // The same through a cache handle, on addresses.
      Object local = slabClass.getMethod("local").invoke(slab);
      var localAllocate = local.getClass().getMethod("allocate", long.class);
      var localFree = local.getClass().getMethod("free", long.class);
      long d = (long) localAllocate.invoke(local, 300L);
      localFree.invoke(local, d);
      assertThatThrownBy(() -> localFree.invoke(local, d)).hasRootCauseInstanceOf(IllegalArgumentException.class)
          .rootCause().hasMessageContaining("double free");
      assertThatThrownBy(() -> localFree.invoke(local, d + 64)).hasRootCauseInstanceOf(IllegalArgumentException.class)
          .rootCause().hasMessageContaining("foreign free");
      long e = (long) localAllocate.invoke(local, 300L);
      long f = (long) localAllocate.invoke(local, 300L);
      assertThat(e).isNotEqualTo(f);
      ((AutoCloseable) slab).close();
    }
  }

  @Test
  void foreignFreeIsDetected() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * Sizes.MiB));
        Arena other = Arena.ofConfined()) {
      MemorySegment block = slab.allocate(256);
      assertThatThrownBy(() -> slab.free(other.allocate(64))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("foreign free");
      assertThatThrownBy(() -> slab.free(block.asSlice(64))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not start");
      assertThatThrownBy(() -> slab.free(MemorySegment.ofArray(new byte[64]))).isInstanceOf(IllegalArgumentException.class);
      // Same address, other scope: not ours either.
      MemorySegment alias = MemorySegment.ofAddress(block.address()).reinterpret(256);
      assertThatThrownBy(() -> slab.free(alias)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("foreign free");
      // Our scope and a block's start, but larger than the block.
      assertThatThrownBy(() -> slab.free(block.reinterpret(257))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("larger than the 256-byte block");
      slab.free(block); // still allocated, so this works
    }
  }

  @Test
  void blocksAreBoundsChecked() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * Sizes.MiB))) {
      MemorySegment s = slab.allocate(100);
      assertThatThrownBy(() -> s.get(ValueLayout.JAVA_BYTE, 100)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void useAfterCloseIsAClearException() {
    MemoryBudget budget = new MemoryBudget(16 * Sizes.MiB);
    SlabAllocator slab = new SlabAllocator(budget);
    MemorySegment s = slab.allocate(64);
    s.set(ValueLayout.JAVA_LONG, 0, 42);
    slab.close();
    assertThatThrownBy(() -> s.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> slab.allocate(64)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> slab.free(s)).isInstanceOf(ClosedException.class);
    assertThat(budget.used()).isZero();
    slab.close(); // twice is harmless
  }

  @Test
  void aBudgetTooSmallForARegionFailsClearly() {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(Sizes.MiB), 4 * Sizes.MiB, 256 * 1024)) {
      assertThatThrownBy(() -> slab.allocate(64)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("memory budget of 1 MiB exceeded").hasMessageContaining("slab region");
    }
  }

  /** A thread that ends with blocks in its magazines does not lose them: they go back to the depot. */
  @Test
  void magazinesOfEndedThreadsAreAdopted() throws Exception {
    // One region of one 64 KiB slab: sixteen 4096-byte blocks in all, and no budget for a second region.
    MemoryBudget budget = new MemoryBudget(64 * 1024);
    try (SlabAllocator slab = new SlabAllocator(budget, 64 * 1024, 64 * 1024)) {
      Thread t = new Thread(() -> {
        List<MemorySegment> mine = new ArrayList<>();
        for (int i = 0; i < 16; i++) mine.add(slab.allocate(4096));
        for (MemorySegment s : mine) slab.free(s);
      });
      t.start();
      t.join();
      List<MemorySegment> mine = new ArrayList<>();
      for (int i = 0; i < 16; i++) mine.add(slab.allocate(4096));
      assertThat(mine).extracting(MemorySegment::address).doesNotHaveDuplicates();
      assertThatThrownBy(() -> slab.allocate(4096)).isInstanceOf(OperationFailedException.class);
      assertThat(slab.allocatedBytes()).isEqualTo(16 * 4096);
    }
  }

  @Test
  void localHandleWorksOnAddresses() throws Exception {
    try (SlabAllocator slab = new SlabAllocator(new MemoryBudget(16 * Sizes.MiB))) {
      SlabAllocator.Local local = slab.local();
      assertThat(slab.local()).isSameAs(local);
      long a = local.allocate(200);
      MemorySegment view = slab.segment(a, 200);
      view.set(ValueLayout.JAVA_LONG, 192, 5);
      assertThat(slab.segment(a, 256).byteSize()).isEqualTo(256); // the whole 256-byte block
      assertThatThrownBy(() -> slab.segment(a, 257)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> slab.segment(a + 64, 8)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not start");
      assertThat(slab.allocatedBytes()).isEqualTo(256);
      AtomicReference<Throwable> other = new AtomicReference<>();
      Thread t = new Thread(() -> {
        try {
          local.allocate(64);
        } catch (Throwable e) {
          other.set(e);
        }
      });
      t.start();
      t.join();
      assertThat(other.get()).isInstanceOf(WrongThreadException.class);
      local.free(a);
      assertThatThrownBy(() -> slab.segment(a, 8)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not allocated");
      assertThatThrownBy(() -> local.free(a)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("double free");
      assertThatThrownBy(() -> local.free(12345)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("foreign free");
      // Both APIs share the blocks: a segment's block can be freed by address and the other way round.
      MemorySegment s = slab.allocate(64);
      local.free(s.address());
      long b = local.allocate(64);
      slab.free(slab.segment(b, 64));
      assertThat(slab.allocatedBytes()).isZero();
    }
  }

  /** Many threads allocate and free, and half the frees are of blocks another thread allocated. */
  @Test
  void concurrentAllocFreeAcrossThreads() throws Exception {
    long seed = LiveBlocks.seed("concurrentAllocFreeAcrossThreads");
    MemoryBudget budget = new MemoryBudget(256 * Sizes.MiB);
    int threads = 8;
    try (SlabAllocator slab = new SlabAllocator(budget, Sizes.MiB, 64 * 1024)) {
      ConcurrentLinkedQueue<MemorySegment> handoff = new ConcurrentLinkedQueue<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Runnable body = () -> {
          try {
            Random rnd = new Random(seed + id);
            List<MemorySegment> live = new ArrayList<>();
            start.await();
            for (int i = 0; i < 30_000; i++) {
              int op = rnd.nextInt(10);
              if (op < 5 || live.isEmpty()) {
                MemorySegment s = slab.allocate(16 + rnd.nextInt(rnd.nextBoolean() ? 112 : 4080));
                // Tag with the block's own address: an overlap or a double hand-out shows as a wrong tag.
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, s.address());
                s.set(ValueLayout.JAVA_BYTE, s.byteSize() - 1, (byte) s.address());
                live.add(s);
              } else {
                MemorySegment s = op < 8 ? live.remove(rnd.nextInt(live.size())) : null;
                if (s == null) {
                  handoff.add(live.remove(rnd.nextInt(live.size())));
                  s = handoff.poll();
                }
                if (s != null) {
                  check(s);
                  slab.free(s);
                }
              }
            }
            for (MemorySegment s : live) {
              check(s);
              slab.free(s);
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        };
        Thread th = id % 4 == 3 ? Thread.ofVirtual().unstarted(body) : Thread.ofPlatform().unstarted(body);
        ts.add(th);
        th.start();
      }
      for (Thread th : ts) th.join();
      if (failure.get() != null) throw new AssertionError("seed " + seed, failure.get());
      for (MemorySegment s; (s = handoff.poll()) != null; ) {
        check(s);
        slab.free(s);
      }
      assertThat(slab.allocatedBytes()).isZero();
      assertThat(budget.used()).isEqualTo(slab.reservedBytes());
    }
  }

  private static void check(MemorySegment s) {
    if (s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != s.address()
        || s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1) != (byte) s.address()) {
      throw new AssertionError("block at 0x" + Long.toHexString(s.address()) + " (" + s.byteSize()
          + " bytes) was overwritten: tag 0x" + Long.toHexString(s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0))
          + ", last byte " + s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1));
    }
  }
}
