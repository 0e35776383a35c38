package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.PageId;
import org.rustydb.memory.LargeObjectAllocator;
import org.rustydb.memory.MemoryManager;
import org.rustydb.memory.MemoryOptions;
import org.rustydb.memory.ReclaimUrgency;
import org.rustydb.memory.RecommendedAction;
import org.rustydb.testing.Seeds;

/** The pool wired to a MemoryManager: budgeted frame region, shrinking under pressure, growing back. */
@SuppressWarnings("try")
class BufferPoolMemoryTest {

  static final long MiB = 1024 * 1024;
  static final int FILE = 4;
  static final int FRAMES = 512; // 2 MiB: one mapping granule
  final InMemoryPageFileStore store = new InMemoryPageFileStore();
  final List<Long> walCalls = new CopyOnWriteArrayList<>();
  MemoryManager mm;
  BufferPool pool;

  @AfterEach
  void tearDown() {
    if (pool != null) pool.close();
    if (mm != null) mm.close();
  }

  void open(long budget) {
    mm = MemoryManager.open(MemoryOptions.builder().budgetBytes(budget).slabRegionBytes(MiB).slabBytes(64 * 1024)
        .hugePages(LargeObjectAllocator.HugePagePolicy.NONE).forecastInterval(Duration.ZERO).build());
    store.createFile(FILE, 2048);
    pool = new BufferPool(store, BufferPoolOptions.builder().frames(FRAMES).replacer(LruReplacer::new)
        .prefetch(false).memoryManager(mm).walFlushHook(walCalls::add).build());
  }

  static long page(long no) {
    return PageId.of(FILE, no);
  }

  void writeValue(long no, long value) {
    try (WriteGuard g = pool.write(page(no))) {
      g.setLong(8, no + 1000); // page LSN
      g.setLong(64, value);
    }
  }

  long readValue(long no) {
    try (ReadGuard g = pool.read(page(no))) {
      return g.getLong(64);
    }
  }

  @Test
  void theFrameRegionComesFromTheBudgetAndGoesBackAtClose() {
    open(16 * MiB);
    assertThat(mm.budget().used()).isEqualTo(2 * MiB);
    assertThat(pool.frameRegion().byteSize()).isEqualTo(2 * MiB);
    pool.close();
    assertThat(mm.budget().used()).isZero();
    assertThat(mm.budget().reclaim(MiB, ReclaimUrgency.EMERGENCY)).isZero(); // unregistered
  }

  @Test
  void anAllocationShortOfBudgetShrinksThePoolAndItGrowsBackWhenMemoryReturns() {
    open(9 * MiB);
    for (long no = 0; no < FRAMES; no++) writeValue(no, no * 7);
    pool.flushAll();
    assertThat(pool.stats().usedFrames()).isEqualTo(FRAMES);
    // An 8 MiB mapping with 2 MiB in use passes the 9 MiB limit by 1 MiB: the budget asks the pool.
    MemorySegment big = mm.allocateLarge(8 * MiB);
    assertThat(mm.budget().peak()).isLessThanOrEqualTo(9 * MiB);
    assertThat(pool.stats().usedFrames()).isLessThanOrEqualTo(FRAMES - 256);
    // Still works at its smaller size: recommitting fails (the budget is full), so misses evict instead.
    for (long no = 0; no < FRAMES; no++) assertThat(readValue(no)).isEqualTo(no * 7);
    assertThat(pool.stats().usedFrames()).isLessThanOrEqualTo(FRAMES - 256);
    assertThat(mm.budget().used()).isLessThanOrEqualTo(9 * MiB);
    // Memory comes back: decommitted frames are recommitted and reused, with the right bytes in them.
    mm.freeLarge(big);
    for (long no = 0; no < FRAMES; no++) assertThat(readValue(no)).isEqualTo(no * 7);
    assertThat(pool.stats().usedFrames()).isEqualTo(FRAMES);
    assertThat(mm.budget().used()).isEqualTo(2 * MiB);
    assertThat(mm.budget().peak()).isLessThanOrEqualTo(9 * MiB);
  }

  @Test
  void thePoolKeepsAFloorOfFramesAndTheAllocationFailsBeyondIt() {
    open(9 * MiB);
    for (long no = 0; no < FRAMES; no++) readValue(no);
    // 8 MiB more needs 1 MiB back; 10 MiB more would need 3 MiB: more than the whole pool.
    assertThatThrownBy(() -> mm.allocateLarge(10 * MiB)).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("memory budget");
    assertThat(pool.stats().usedFrames()).isGreaterThanOrEqualTo(FrameReclaimer.minFrames(FRAMES));
    for (long no = 0; no < 100; no++) readValue(no); // still usable
    assertThat(mm.budget().peak()).isLessThanOrEqualTo(9 * MiB);
  }

  @Test
  void gentleAndAggressiveReclaimGiveBackCleanFramesOnly() {
    open(16 * MiB);
    for (long no = 0; no < 100; no++) writeValue(no, no);
    for (long no = 100; no < FRAMES; no++) readValue(no);
    long released = mm.budget().reclaim(64 * 4096, ReclaimUrgency.GENTLE);
    assertThat(released).isEqualTo(64 * 4096);
    released = mm.budget().reclaim(64 * 4096, ReclaimUrgency.AGGRESSIVE);
    assertThat(released).isEqualTo(64 * 4096);
    assertThat(pool.stats().dirtyFrames()).isEqualTo(100);
    assertThat(pool.stats().usedFrames()).isEqualTo(FRAMES - 128);
    assertThat(store.writes()).isZero();
    assertThat(walCalls).isEmpty();
    assertThat(mm.budget().used()).isEqualTo(2 * MiB - 128 * 4096);
  }

  @Test
  void aForecastEmergencyFlushesDirtyPagesThroughTheWalHookAndReleasesThem() {
    open(2 * MiB + 64 * 1024); // the pool alone is 97 % of it: an emergency
    for (long no = 0; no < FRAMES; no++) writeValue(no, no + 1);
    mm.sample(1_000);
    var forecast = mm.sample(2_000).orElseThrow();
    assertThat(forecast.recommendedAction()).isEqualTo(RecommendedAction.EMERGENCY_CLEANUP);
    assertThat(pool.stats().dirtyFrames()).isZero();
    assertThat(store.writes()).isEqualTo(FRAMES);
    assertThat(store.writeOps()).isLessThan(FRAMES); // combined
    assertThat(walCalls).isNotEmpty().allMatch(lsn -> lsn >= 1000 && lsn < 1000 + FRAMES);
    assertThat(walCalls).contains(1000L + 63); // the highest LSN of the first batch of 64
    long asked = (long) (mm.budget().limit() * MemoryManager.EMERGENCY_RELEASE);
    assertThat(pool.stats().usedFrames()).isLessThanOrEqualTo(FRAMES - (int) (asked / 4096));
    for (long no = 0; no < FRAMES; no++) assertThat(readValue(no)).isEqualTo(no + 1);
  }

  @Test
  void budgetHoldsWhileAllocationsAndPageTrafficRace() throws Exception {
    long seed = Seeds.of("BufferPoolMemoryTest", "poolmem.seed");
    open(5 * MiB); // a 4 MiB object needs the pool to give 1 MiB back
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    Thread allocator = Thread.ofPlatform().start(() -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < 200; i++) {
        try {
          MemorySegment m = mm.allocateLarge((1 + rnd.nextInt(4)) * MiB);
          m.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, i);
          mm.freeLarge(m);
        } catch (OperationFailedException expected) {
          // short of budget even after reclaiming: allowed
        } catch (Throwable e) {
          failures.add("allocator: " + e);
        }
      }
    });
    Thread pages = Thread.ofPlatform().start(() -> {
      SplittableRandom rnd = new SplittableRandom(seed + 1);
      long[] model = new long[2048];
      try {
        for (int i = 0; i < 20_000; i++) {
          int no = rnd.nextInt(1024);
          if (rnd.nextBoolean()) {
            writeValue(no, ++model[no]);
          } else if (readValue(no) != model[no]) {
            failures.add("page " + no + " lost its value");
          }
        }
      } catch (Throwable e) {
        failures.add("pages: " + e);
      }
    });
    allocator.join();
    pages.join();
    assertThat(failures).isEmpty();
    assertThat(mm.budget().peak()).isLessThanOrEqualTo(5 * MiB);
  }

  @Test
  void withoutAMemoryManagerNothingIsBudgeted() {
    mm = MemoryManager.open(MemoryOptions.builder().budgetBytes(16 * MiB).slabRegionBytes(MiB).slabBytes(64 * 1024)
        .forecastInterval(Duration.ZERO).build());
    store.createFile(FILE, 2048);
    pool = new BufferPool(store, BufferPoolOptions.builder().frames(FRAMES).replacer(LruReplacer::new)
        .prefetch(false).build());
    for (long no = 0; no < FRAMES; no++) writeValue(no, no);
    assertThat(mm.budget().used()).isZero();
    assertThat(mm.budget().reclaim(MiB, ReclaimUrgency.EMERGENCY)).isZero();
    assertThat(pool.stats().usedFrames()).isEqualTo(FRAMES);
    assertThat(pool.stats().dirtyFrames()).isEqualTo(FRAMES);
  }
}
