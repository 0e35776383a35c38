package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;
import org.rustydb.memory.LargeObjectAllocator.Backing;
import org.rustydb.memory.LargeObjectAllocator.HugePagePolicy;

class LargeObjectAllocatorTest {

  private static final long MiB = Sizes.MiB;

  private static LargeObjectAllocator allocator(MemoryBudget budget, boolean mmap) {
    return new LargeObjectAllocator(budget, HugePagePolicy.AUTO, mmap);
  }

  /** Best fit picks the smallest free region that fits; freed neighbours coalesce. */
  @ParameterizedTest(name = "mmap={0}")
  @ValueSource(booleans = {true, false})
  void bestFitAndCoalescing(boolean mmap) {
    MemoryBudget budget = new MemoryBudget(Sizes.GiB);
    try (LargeObjectAllocator large = allocator(budget, mmap)) {
      // One 16 MiB mapping, freed: a single free region to carve from in address order.
      large.free(large.allocate(16 * MiB));
      assertThat(large.mappingCount()).isEqualTo(1);
      assertThat(large.freeRegionCount()).isEqualTo(1);
      MemorySegment a = large.allocate(MiB);
      MemorySegment b = large.allocate(3 * MiB);
      MemorySegment c = large.allocate(MiB);
      MemorySegment d = large.allocate(2 * MiB);
      MemorySegment e = large.allocate(MiB);
      assertThat(List.of(b.address() - a.address(), c.address() - b.address(), d.address() - c.address(),
          e.address() - d.address())).containsExactly(MiB, 3 * MiB, MiB, 2 * MiB);
      large.free(b);
      large.free(d);
      // Free: b (3 MiB), d (2 MiB), the tail (8 MiB). Largest 8 of 13 MiB free.
      assertThat(large.freeRegionCount()).isEqualTo(3);
      assertThat(large.fragmentation()).isCloseTo(1 - 8.0 / 13.0, org.assertj.core.data.Offset.offset(1e-9));
      MemorySegment d2 = large.allocate(2 * MiB);
      assertThat(d2.address()).as("2 MiB goes to the 2 MiB hole, not the 3 MiB one").isEqualTo(d.address());
      MemorySegment small = large.allocate(MiB + 1);
      assertThat(small.address()).as("1 MiB + 1 goes to the 3 MiB hole (smallest that fits)").isEqualTo(b.address());
      large.free(small);
      large.free(a);
      large.free(c);
      // a, b, c are one region again.
      assertThat(large.freeRegions()).extracting(r -> r[0]).contains(a.address());
      assertThat(large.freeRegions()).filteredOn(r -> r[0] == a.address()).extracting(r -> r[1])
          .containsExactly(5 * MiB);
      large.free(d2);
      large.free(e);
      assertThat(large.freeRegionCount()).isEqualTo(1);
      assertThat(large.fragmentation()).isZero();
      assertThat(large.freeBytes()).isEqualTo(16 * MiB);
    }
    assertThat(budget.used()).isZero();
  }

  @ParameterizedTest(name = "mmap={0}")
  @ValueSource(booleans = {true, false})
  void alignmentAndFreshMemoryIsZero(boolean mmap) {
    try (LargeObjectAllocator large = allocator(new MemoryBudget(Sizes.GiB), mmap)) {
      large.allocate(5 * 4096);
      MemorySegment s = large.allocate(3 * MiB, 2 * MiB);
      assertThat(s.address() % (2 * MiB)).isZero();
      assertThat(s.byteSize()).isEqualTo(3 * MiB);
      assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isZero();
      assertThat(s.get(ValueLayout.JAVA_LONG, 3 * MiB - 8)).isZero();
      assertThatThrownBy(() -> s.get(ValueLayout.JAVA_BYTE, 3 * MiB)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> large.allocate(MiB, 3)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> large.allocate(MiB, 4 * MiB)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> large.allocate(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @ParameterizedTest(name = "mmap={0}")
  @ValueSource(booleans = {true, false})
  void useAfterFreeDoubleFreeForeignFreeAndUseAfterClose(boolean mmap) {
    MemoryBudget budget = new MemoryBudget(Sizes.GiB);
    LargeObjectAllocator large = allocator(budget, mmap);
    MemorySegment s = large.allocate(2 * MiB);
    s.set(ValueLayout.JAVA_INT, 0, 7);
    large.free(s);
    assertThatThrownBy(() -> s.get(ValueLayout.JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> large.free(s)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("double free");
    try (Arena other = Arena.ofConfined()) {
      MemorySegment foreign = other.allocate(4096);
      assertThatThrownBy(() -> large.free(foreign)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("foreign free");
    }
    MemorySegment live = large.allocate(2 * MiB);
    MemorySegment alias = MemorySegment.ofAddress(live.address()).reinterpret(2 * MiB);
    assertThatThrownBy(() -> large.free(alias)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("foreign free");
    live.set(ValueLayout.JAVA_INT, 0, 1);
    large.close();
    assertThatThrownBy(() -> live.get(ValueLayout.JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> large.allocate(MiB)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> large.free(live)).isInstanceOf(ClosedException.class);
    assertThat(budget.used()).isZero();
    large.close();
  }

  @Test
  void budgetAndRefusal() {
    MemoryBudget budget = new MemoryBudget(8 * MiB);
    try (LargeObjectAllocator large = allocator(budget, true)) {
      MemorySegment a = large.allocate(6 * MiB);
      assertThat(budget.used()).isEqualTo(6 * MiB);
      assertThatThrownBy(() -> large.allocate(4 * MiB)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("memory budget of 8 MiB exceeded").hasMessageContaining("large object of 4 MiB");
      large.refuseNewAllocations("test emergency");
      assertThat(large.refusingNewAllocations()).isTrue();
      assertThatThrownBy(() -> large.allocate(MiB)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("refused: test emergency");
      MemorySegment frames = large.allocate(MiB, 4096, false); // the frame region is never refused
      large.stopRefusing();
      large.free(frames);
      large.free(a);
      assertThat(budget.used()).as("free mappings stay for reuse").isEqualTo(8 * MiB);
      assertThat(large.reclaim(Long.MAX_VALUE, ReclaimUrgency.GENTLE)).isEqualTo(8 * MiB);
      assertThat(budget.used()).isZero();
      assertThat(large.mappingCount()).isZero();
    }
  }

  /** An allocation short of budget gets it back from the allocator's own free mappings via the reclaimer. */
  @Test
  void budgetReclaimsFreeMappings() {
    MemoryBudget budget = new MemoryBudget(8 * MiB);
    try (LargeObjectAllocator large = allocator(budget, true)) {
      budget.addReclaimer(large);
      large.free(large.allocate(4 * MiB));
      large.free(large.allocate(2 * MiB, 2 * MiB)); // fits in the first mapping
      MemorySegment big = large.allocate(4 * MiB + 4096); // needs a 6 MiB mapping: only after unmapping the 4
      assertThat(big.byteSize()).isEqualTo(4 * MiB + 4096);
      assertThat(large.mappingCount()).isEqualTo(1);
      assertThat(budget.used()).isEqualTo(6 * MiB);
    }
  }

  @Test
  void randomAllocFreeMatchesTheModel() throws Exception {
    long seed = LiveBlocks.seed("LargeObjectAllocator.randomAllocFreeMatchesTheModel");
    Random rnd = new Random(seed);
    MemoryBudget budget = new MemoryBudget(Sizes.GiB);
    try (LargeObjectAllocator large = allocator(budget, true)) {
      LiveBlocks model = new LiveBlocks();
      List<MemorySegment> live = new ArrayList<>();
      for (int step = 0; step < 1500; step++) {
        if (live.isEmpty() || rnd.nextInt(100) < 55) {
          long size = 1 + rnd.nextInt(rnd.nextBoolean() ? (int) (2 * MiB) : (int) (6 * MiB));
          long align = 4096L << rnd.nextInt(10);
          MemorySegment s = large.allocate(size, align);
          assertThat(s.address() % align).isZero();
          model.add(s, (byte) step);
          live.add(s);
        } else {
          MemorySegment s = live.remove(rnd.nextInt(live.size()));
          model.remove(s);
          large.free(s);
        }
        assertThat(large.allocatedBytes() + large.freeBytes()).isEqualTo(large.mappedBytes());
        assertThat(budget.used()).isEqualTo(large.mappedBytes());
      }
      for (MemorySegment s : live) {
        model.remove(s);
        large.free(s);
      }
      assertThat(large.allocatedBytes()).isZero();
      assertThat(large.freeRegionCount()).as("everything coalesced back into whole mappings")
          .isEqualTo(large.mappingCount());
    }
    assertThat(budget.used()).isZero();
  }

  @Test
  void concurrentAllocFree() throws Exception {
    long seed = LiveBlocks.seed("LargeObjectAllocator.concurrentAllocFree");
    MemoryBudget budget = new MemoryBudget(Sizes.GiB);
    try (LargeObjectAllocator large = allocator(budget, true)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          try {
            Random rnd = new Random(seed + id);
            List<MemorySegment> mine = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
              if (mine.isEmpty() || rnd.nextBoolean()) {
                MemorySegment s = large.allocate(4096 + rnd.nextInt((int) (3 * MiB)));
                s.set(ValueLayout.JAVA_LONG, 0, s.address());
                s.set(ValueLayout.JAVA_LONG, (s.byteSize() - 8) & ~7L, s.address());
                mine.add(s);
              } else {
                MemorySegment s = mine.remove(rnd.nextInt(mine.size()));
                if (s.get(ValueLayout.JAVA_LONG, 0) != s.address()
                    || s.get(ValueLayout.JAVA_LONG, (s.byteSize() - 8) & ~7L) != s.address()) {
                  throw new AssertionError("overwritten");
                }
                large.free(s);
              }
            }
            for (MemorySegment s : mine) large.free(s);
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) th.join();
      if (failure.get() != null) throw new AssertionError("seed " + seed, failure.get());
      assertThat(large.allocatedBytes()).isZero();
      assertThat(large.freeRegionCount()).isEqualTo(large.mappingCount());
    }
  }

  /** The frame region's pages go back to the OS and the budget, and are reserved again before reuse. */
  @Test
  void exclusiveBlocksDecommitAndRecommit() {
    assumeThat(NativeMemory.instance()).isPresent();
    MemoryBudget budget = new MemoryBudget(8 * MiB);
    try (LargeObjectAllocator large = allocator(budget, true)) {
      MemorySegment frames = large.allocateExclusive(4 * MiB, 4096);
      assertThat(budget.used()).isEqualTo(4 * MiB);
      assertThat(large.freeRegionCount()).as("an exclusive mapping lends nothing").isZero();
      frames.fill((byte) 7);
      assertThat(large.decommit(frames, 0, 1 * MiB)).isEqualTo(MiB);
      assertThat(large.decommit(frames, 512 * 1024, 1536 * 1024)).as("pages count once").isEqualTo(MiB);
      assertThat(budget.used()).isEqualTo(2 * MiB);
      assertThat(large.decommittedBytes()).isEqualTo(2 * MiB);
      assertThat(frames.get(ValueLayout.JAVA_BYTE, 0)).as("dropped pages read as zero").isZero();
      assertThat(frames.get(ValueLayout.JAVA_BYTE, 2 * MiB)).isEqualTo((byte) 7);
      // The released bytes are really available to others: a 6 MiB mapping fits only because of them.
      MemorySegment other = large.allocate(5 * MiB);
      assertThat(budget.used()).isEqualTo(8 * MiB);
      assertThatThrownBy(() -> large.recommit(frames, 0, 4096)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("memory budget");
      large.free(other);
      large.trim();
      assertThat(large.recommit(frames, 0, 4096)).isEqualTo(4096);
      assertThat(large.recommit(frames, 0, 4 * MiB)).isEqualTo(2 * MiB - 4096);
      assertThat(budget.used()).isEqualTo(4 * MiB);
      assertThat(large.decommit(frames, MiB, MiB)).isEqualTo(MiB);
      assertThatThrownBy(() -> large.decommit(frames, 100, 4096)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> large.decommit(frames, 0, 5 * MiB)).isInstanceOf(IllegalArgumentException.class);
      MemorySegment shared = large.allocate(MiB);
      assertThatThrownBy(() -> large.decommit(shared, 0, 4096)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("allocateExclusive");
      large.free(shared);
      int mappings = large.mappingCount();
      large.free(frames); // unmapped at once, releasing what is still reserved
      assertThat(large.mappingCount()).isEqualTo(mappings - 1);
      assertThat(large.allocatedBytes()).isZero();
      large.trim();
      assertThat(budget.used()).isZero();
      MemorySegment again = large.allocateExclusive(2 * MiB, 4096);
      large.decommit(again, 0, MiB);
    }
    assertThat(budget.used()).as("close releases what decommit did not").isZero();
  }

  /** Pinned pages (io_uring registered buffers) are never decommitted: the process would see zeros. */
  @Test
  void pinnedExclusiveBlocksRefuseDecommit() {
    assumeThat(NativeMemory.instance()).isPresent();
    MemoryBudget budget = new MemoryBudget(8 * MiB);
    try (LargeObjectAllocator large = allocator(budget, true)) {
      MemorySegment frames = large.allocateExclusive(2 * MiB, 4096);
      frames.fill((byte) 7);
      assertThat(large.decommit(frames, 0, 4096)).isEqualTo(4096);
      large.recommit(frames, 0, 4096);
      large.pin(frames, "io_uring registered buffers");
      assertThatThrownBy(() -> large.decommit(frames, 4096, 4096)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("pinned by io_uring registered buffers");
      assertThat(frames.get(ValueLayout.JAVA_BYTE, 4096)).as("still the page's bytes").isEqualTo((byte) 7);
      assertThat(budget.used()).isEqualTo(2 * MiB);
      assertThat(large.decommittedBytes()).isZero();
      MemorySegment shared = large.allocate(MiB);
      assertThatThrownBy(() -> large.pin(shared, "x")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---- pages: each fall-back, logged once ----

  @Test
  void plainPagesWhenHugePagesAreOff() {
    assumeThat(NativeMemory.instance()).isPresent();
    try (LargeObjectAllocator large = new LargeObjectAllocator(new MemoryBudget(Sizes.GiB), HugePagePolicy.NONE, true)) {
      large.allocate(3 * MiB);
      assertThat(large.mappedBytesByBacking()).containsOnlyKeys(Backing.PLAIN_PAGES);
    }
  }

  @Test
  void transparentHugePagesWhenNoneAreReserved() {
    assumeThat(NativeMemory.instance()).isPresent();
    HugePages stub = new HugePages(2 * MiB, 0, HugePages.TransparentMode.MADVISE);
    try (LogCapture log = new LogCapture();
        LargeObjectAllocator large = new LargeObjectAllocator(new MemoryBudget(Sizes.GiB), HugePagePolicy.AUTO,
            NativeMemory.instance(), () -> stub)) {
      MemorySegment s = large.allocate(3 * MiB);
      large.allocate(5 * MiB);
      assertThat(s.address() % (2 * MiB)).as("2 MiB-aligned for THP").isZero();
      assertThat(large.mappedBytesByBacking()).containsOnlyKeys(Backing.TRANSPARENT_HUGE_PAGES);
      assertThat(log.messagesContaining("no explicit huge pages")).hasSize(1);
    }
  }

  @Test
  void plainPagesWhenTransparentHugePagesAreDisabled() {
    assumeThat(NativeMemory.instance()).isPresent();
    HugePages stub = new HugePages(2 * MiB, 0, HugePages.TransparentMode.NEVER);
    try (LogCapture log = new LogCapture();
        LargeObjectAllocator large = new LargeObjectAllocator(new MemoryBudget(Sizes.GiB), HugePagePolicy.AUTO,
            NativeMemory.instance(), () -> stub)) {
      large.allocate(3 * MiB);
      large.allocate(3 * MiB);
      assertThat(large.mappedBytesByBacking()).containsOnlyKeys(Backing.PLAIN_PAGES);
      assertThat(log.messagesContaining("disabled")).hasSize(1);
    }
  }

  /** Huge pages said to be reserved but mmap(MAP_HUGETLB) fails: fall back to THP, logged once. */
  @Test
  void hugetlbFailureFallsBackToTransparentHugePages() {
    assumeThat(NativeMemory.instance()).isPresent();
    HugePages real = HugePages.probe();
    HugePages claim = new HugePages(real.hugePageSize(), 1 << 20, HugePages.TransparentMode.MADVISE);
    try (LogCapture log = new LogCapture();
        LargeObjectAllocator large = new LargeObjectAllocator(new MemoryBudget(Sizes.GiB), HugePagePolicy.AUTO,
            NativeMemory.instance(), () -> claim)) {
      MemorySegment s = large.allocate(2 * MiB);
      large.allocate(4 * MiB);
      s.set(ValueLayout.JAVA_LONG, 0, 1);
      Map<Backing, Long> backing = large.mappedBytesByBacking();
      if (real.freeBytes() >= 6 * MiB) {
        assertThat(backing).containsOnlyKeys(Backing.HUGETLB);
      } else {
        assertThat(backing).containsOnlyKeys(Backing.TRANSPARENT_HUGE_PAGES);
        assertThat(log.messagesContaining("MAP_HUGETLB")).hasSize(1);
      }
    }
  }

  @Test
  void hugePagesProbeReadsTheKernelFiles(@TempDir Path dir) throws IOException {
    Path meminfo = Files.writeString(dir.resolve("meminfo"),
        "MemTotal:       24684300 kB\nHugePages_Total:     512\nHugePages_Free:      300\nHugepagesize:       2048 kB\n");
    Path thp = Files.writeString(dir.resolve("enabled"), "always [madvise] never\n");
    HugePages hp = HugePages.probe(meminfo, thp);
    assertThat(hp).isEqualTo(new HugePages(2 * MiB, 300, HugePages.TransparentMode.MADVISE));
    assertThat(hp.freeBytes()).isEqualTo(600 * MiB);
    Files.writeString(thp, "always madvise [never]\n");
    assertThat(HugePages.probe(meminfo, thp).transparent()).isEqualTo(HugePages.TransparentMode.NEVER);
    assertThat(HugePages.probe(dir.resolve("missing"), dir.resolve("missing2")))
        .isEqualTo(new HugePages(2 * MiB, 0, HugePages.TransparentMode.UNKNOWN));
  }

  @Test
  void nativeCallsCheckTheirArguments() {
    assumeThat(NativeMemory.instance()).isPresent();
    NativeMemory os = NativeMemory.instance().orElseThrow();
    assertThatThrownBy(() -> os.unmap(0, 4096)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> os.unmap(4097, 4096)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> os.advise(4096, 100, NativeMemory.MADV_HUGEPAGE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> os.mapAnonymous(-4096, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(os.mapAnonymous(1L << 62, 0)).as("an impossible mapping is an errno, not a crash").isNegative();
    Optional<NativeMemory> same = NativeMemory.instance();
    assertThat(same.orElseThrow()).isSameAs(os);
  }

  /** Captures the allocator's log records (System.Logger goes to java.util.logging by default). */
  private static final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(LargeObjectAllocator.class.getName());
    private final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();

    LogCapture() {
      logger.addHandler(this);
    }

    List<String> messagesContaining(String part) {
      return messages.stream().filter(m -> m.contains(part)).toList();
    }

    @Override
    public void publish(LogRecord record) {
      messages.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }
}
