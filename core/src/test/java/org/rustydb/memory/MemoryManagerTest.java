package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;
import org.rustydb.stats.MemoryStats;

class MemoryManagerTest {

  private static final long MiB = Sizes.MiB;

  private static MemoryManager manual(long budget) {
    return MemoryManager.open(MemoryOptions.builder().budgetBytes(budget).slabRegionBytes(MiB)
        .slabBytes(64 * 1024).forecastInterval(Duration.ZERO).build());
  }

  @Test
  void statsAreASnapshotOfEveryAllocator() {
    try (MemoryManager mm = manual(256 * MiB)) {
      MemoryStats empty = mm.stats();
      assertThat(empty).isEqualTo(new MemoryStats(0, 0, 0, 0, 0, 0, 0, 0.0, 0, 256 * MiB, 0.0));
      MemorySegment a = mm.slab().allocate(100);
      mm.slab().free(mm.slab().allocate(60));
      mm.slab().allocate(60);
      TransactionArena arena = mm.arenas().acquire(TransactionProfile.SMALL);
      arena.allocate(1000);
      MemorySegment big = mm.allocateLarge(3 * MiB);
      MemorySegment frames = mm.allocateFrameRegion(256 * 4096, 4096);
      MemoryStats s = mm.stats();
      assertThat(s.slabAllocated()).isEqualTo(128 + 64);
      assertThat(s.slabFree()).isEqualTo(MiB - 192);
      assertThat(s.slabFastPathHits()).isEqualTo(1);
      assertThat(s.arenaAllocated()).isEqualTo(32 * 1024);
      assertThat(s.arenaActiveArenas()).isEqualTo(1);
      // A 4 MiB mapping for the 3 MiB object (1 MiB of it free); the frame region has a 2 MiB mapping of its own.
      assertThat(s.largeObjectAllocated()).isEqualTo(3 * MiB + 2 * MiB);
      assertThat(s.largeObjectFreeRegions()).isEqualTo(1);
      assertThat(s.largeObjectFragmentation()).isZero();
      assertThat(s.totalAllocated()).isEqualTo(MiB + 32 * 1024 + 4 * MiB + 2 * MiB);
      assertThat(s.totalFree()).isEqualTo(256 * MiB - s.totalAllocated());
      assertThat(s.memoryPressure()).isEqualTo((double) s.totalAllocated() / (256 * MiB));
      assertThat(frames.address() % 4096).isZero();
      long before = mm.budget().used();
      assertThat(mm.decommitFrames(frames, 4096, 8192)).isEqualTo(8192);
      assertThat(mm.stats().totalAllocated()).isEqualTo(before - 8192);
      assertThat(mm.recommitFrames(frames, 0, 256 * 4096)).isEqualTo(8192);
      assertThat(mm.budget().used()).isEqualTo(before);
      mm.freeLarge(big);
      mm.freeFrameRegion(frames);
      arena.close();
      mm.slab().free(a);
      assertThat(mm.stats().arenaActiveArenas()).isZero();
      assertThat(mm.stats()).isNotEqualTo(s);
    }
  }

  @Test
  void forecastActionsAskTheReclaimersAndRefuseLargeAllocationsInAnEmergency() {
    try (MemoryManager mm = manual(100 * MiB)) {
      List<String> calls = new CopyOnWriteArrayList<>();
      mm.budget().addReclaimer((wanted, urgency) -> {
        calls.add(urgency + " " + wanted / MiB);
        return 0;
      });
      MemoryBudget b = mm.budget();
      long t = 0;
      b.reserve(50 * MiB, "test");
      mm.sample(t += 1000);
      assertThat(mm.sample(t += 1000).orElseThrow().recommendedAction()).isEqualTo(RecommendedAction.MONITOR);
      assertThat(calls).isEmpty();
      mm.close();
    }
    try (MemoryManager mm = manual(100 * MiB)) {
      List<String> calls = new CopyOnWriteArrayList<>();
      mm.budget().addReclaimer((wanted, urgency) -> {
        calls.add(urgency + " " + wanted / MiB);
        return 0;
      });
      MemoryBudget b = mm.budget();
      long t = 0;
      b.reserve(75 * MiB, "test"); // flat at 75%: gentle eviction on every sample
      Forecast f = null;
      for (int i = 0; i < 3; i++) f = mm.sample(t += 1000).orElse(null);
      assertThat(f.trend()).isEqualTo(MemoryTrend.STABLE);
      assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.GENTLE_EVICTION);
      assertThat(calls).containsExactly("GENTLE 5", "GENTLE 5");
      assertThat(mm.largeObjects().refusingNewAllocations()).isFalse();

      b.reserve(21 * MiB, "test"); // 96%: emergency
      calls.clear();
      f = mm.sample(t += 1000).orElseThrow();
      assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.EMERGENCY_CLEANUP);
      assertThat(calls).containsExactly("EMERGENCY 25");
      b.release(96 * MiB);
      assertThat(mm.largeObjects().refusingNewAllocations()).isTrue();
      assertThatThrownBy(() -> mm.allocateLarge(2 * MiB)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("memory pressure emergency");
      MemorySegment frames = mm.allocateFrameRegion(MiB, 4096); // the pool's region is never refused
      mm.freeFrameRegion(frames);
      mm.largeObjects().trim();

      // Pressure falls: the refusal is lifted by the first forecast that is not an emergency.
      calls.clear();
      f = mm.sample(t += 1000).orElseThrow();
      assertThat(f.currentUsage()).isZero();
      assertThat(f.trend()).isEqualTo(MemoryTrend.DECREASING);
      assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.MONITOR);
      assertThat(mm.largeObjects().refusingNewAllocations()).isFalse();
      mm.freeLarge(mm.allocateLarge(2 * MiB));
      assertThat(mm.lastForecast()).contains(f);
    }
  }

  @Test
  void eachActionAsksForItsShareAtItsUrgency() {
    try (MemoryManager mm = manual(100 * MiB)) {
      List<String> calls = new CopyOnWriteArrayList<>();
      mm.budget().addReclaimer((wanted, urgency) -> {
        calls.add(urgency + " " + wanted / MiB);
        return 0;
      });
      for (RecommendedAction a : RecommendedAction.values()) {
        mm.act(new Forecast(50, 50, 50, 50, 0, MemoryTrend.STABLE, a, java.util.Optional.empty(), 2));
      }
      assertThat(calls).containsExactly("GENTLE 5", "AGGRESSIVE 15", "EMERGENCY 25");
    }
  }

  @Test
  void idleArenaChunksAndFreeMappingsAreReclaimedBeforeFailing() {
    try (MemoryManager mm = manual(20 * MiB)) {
      mm.arenas().acquire(TransactionProfile.LARGE).close(); // 2 MiB chunk kept idle
      mm.freeLarge(mm.allocateLarge(10 * MiB));              // 10 MiB mapping kept free
      assertThat(mm.budget().used()).isEqualTo(12 * MiB);
      MemorySegment s = mm.allocateLarge(17 * MiB);          // needs 18 MiB: both caches must go
      assertThat(s.byteSize()).isEqualTo(17 * MiB);
      assertThat(mm.arenas().idleArenas()).isZero();
      assertThat(mm.budget().used()).isEqualTo(18 * MiB);
    }
  }

  @Test
  void samplerThreadIsNamedAndStopsOnClose() {
    MemoryManager mm = MemoryManager.open(MemoryOptions.builder().budgetBytes(64 * MiB)
        .forecastInterval(Duration.ofMillis(20)).build());
    waitFor(() -> mm.forecaster().sampleCount() >= 3, "three samples");
    assertThat(threadNamed(MemoryManager.SAMPLER_THREAD)).isTrue();
    assertThat(mm.samplerRunning()).isTrue();
    assertThat(mm.lastForecast()).isPresent();
    mm.close();
    assertThat(mm.samplerRunning()).isFalse();
    waitFor(() -> !threadNamed(MemoryManager.SAMPLER_THREAD), "the sampler thread to end");
    mm.close(); // twice is harmless
  }

  @Test
  void useAfterCloseIsAClearException() {
    MemoryManager mm = manual(64 * MiB);
    MemorySegment slab = mm.slab().allocate(64);
    MemorySegment big = mm.allocateLarge(2 * MiB);
    TransactionArena arena = mm.arenas().acquire(TransactionProfile.TINY);
    MemorySegment fromArena = arena.allocate(16);
    mm.close();
    assertThatThrownBy(() -> slab.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> big.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> mm.allocateLarge(2 * MiB)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> mm.slab().allocate(64)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> mm.arenas().acquire(TransactionProfile.TINY)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> mm.sample(1)).isInstanceOf(ClosedException.class);
    // An arena in use when the manager closed keeps working until its transaction ends, then frees.
    fromArena.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
    arena.close();
    assertThatThrownBy(() -> fromArena.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    assertThat(mm.budget().used()).isZero();
  }

  private static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  private static void waitFor(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
