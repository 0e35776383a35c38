package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

class TransactionArenaTest {

  @Test
  void profilesAreTheSpecs() {
    assertThat(TransactionProfile.TINY.initialBytes()).isEqualTo(4 * 1024);
    assertThat(TransactionProfile.TINY.limitBytes()).isEqualTo(64 * 1024);
    assertThat(TransactionProfile.SMALL.initialBytes()).isEqualTo(32 * 1024);
    assertThat(TransactionProfile.SMALL.limitBytes()).isEqualTo(512 * 1024);
    assertThat(TransactionProfile.MEDIUM.initialBytes()).isEqualTo(256 * 1024);
    assertThat(TransactionProfile.MEDIUM.limitBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(TransactionProfile.LARGE.initialBytes()).isEqualTo(2 * 1024 * 1024);
    assertThat(TransactionProfile.LARGE.limitBytes()).isEqualTo(32 * 1024 * 1024);
    assertThat(TransactionProfile.HUGE.initialBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(TransactionProfile.HUGE.limitBytes()).isEqualTo(256 * 1024 * 1024);
    assertThat(TransactionProfile.forExpectedBytes(9_999)).isEqualTo(TransactionProfile.TINY);
    assertThat(TransactionProfile.forExpectedBytes(50_000)).isEqualTo(TransactionProfile.SMALL);
    assertThat(TransactionProfile.forExpectedBytes(500_000)).isEqualTo(TransactionProfile.MEDIUM);
    assertThat(TransactionProfile.forExpectedBytes(5_000_000)).isEqualTo(TransactionProfile.LARGE);
    assertThat(TransactionProfile.forExpectedBytes(50_000_000)).isEqualTo(TransactionProfile.HUGE);
  }

  /** Every profile holds at most its limit; the allocation that would pass it fails that arena alone. */
  @ParameterizedTest
  @EnumSource(TransactionProfile.class)
  void reachingTheLimitFailsThatTransactionAlone(TransactionProfile profile) {
    MemoryBudget budget = new MemoryBudget(Sizes.GiB);
    try (ArenaPool pool = new ArenaPool(budget)) {
      TransactionArena arena = pool.acquire(profile);
      TransactionArena other = pool.acquire(TransactionProfile.TINY);
      assertThat(arena.heldBytes()).isEqualTo(profile.initialBytes());
      long piece = profile.initialBytes() / 4;
      long given = 0;
      OperationFailedException failure = null;
      while (failure == null) {
        try {
          arena.allocate(piece, 1);
          given += piece;
        } catch (OperationFailedException e) {
          failure = e;
        }
        assertThat(arena.heldBytes()).isLessThanOrEqualTo(profile.limitBytes());
      }
      assertThat(failure).hasMessageContaining("transaction arena limit reached")
          .hasMessageContaining(profile.toString());
      assertThat(given).isGreaterThan(profile.limitBytes() * 3 / 4).isLessThanOrEqualTo(profile.limitBytes());
      assertThat(budget.used()).isEqualTo(arena.heldBytes() + other.heldBytes());
      // The other transaction goes on; this one resets (its abort) and can work again.
      other.allocate(100).fill((byte) 1);
      arena.reset();
      arena.allocate(piece).fill((byte) 2);
      arena.close();
      other.close();
    }
    assertThat(budget.used()).isZero();
  }

  @Test
  void allocationsHonourAlignment() {
    try (ArenaPool pool = new ArenaPool(new MemoryBudget(64 * Sizes.MiB));
        TransactionArena arena = pool.acquire(TransactionProfile.SMALL)) {
      for (long align = 1; align <= 8192; align <<= 1) {
        arena.allocate(3, 1);
        MemorySegment s = arena.allocate(100, align);
        assertThat(s.address() % align).as("alignment %d", align).isZero();
        assertThat(s.byteSize()).isEqualTo(100);
      }
      assertThatThrownBy(() -> arena.allocate(8, 3)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> arena.allocate(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Random allocations and resets against a model: no overlap, contents kept until the reset. */
  @Test
  void randomAllocationsAndResetsMatchTheModel() {
    long seed = LiveBlocks.seed("randomAllocationsAndResetsMatchTheModel");
    Random rnd = new Random(seed);
    MemoryBudget budget = new MemoryBudget(64 * Sizes.MiB);
    try (ArenaPool pool = new ArenaPool(budget);
        TransactionArena arena = pool.acquire(TransactionProfile.MEDIUM)) {
      for (int generation = 0; generation < 50; generation++) {
        LiveBlocks model = new LiveBlocks();
        List<MemorySegment> live = new ArrayList<>();
        long used = 0;
        int n = rnd.nextInt(500);
        for (int i = 0; i < n; i++) {
          long size = 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(64 * 1024) : rnd.nextInt(300));
          long align = 1L << rnd.nextInt(8);
          if (used + size + align > TransactionProfile.MEDIUM.limitBytes() / 2) break;
          MemorySegment s = arena.allocate(size, align);
          assertThat(s.address() % align).isZero();
          model.add(s, (byte) i);
          live.add(s);
          used += size;
        }
        assertThat(arena.allocatedBytes()).isEqualTo(used);
        for (MemorySegment s : live) model.remove(s);
        long held = arena.heldBytes();
        arena.reset();
        assertThat(arena.heldBytes()).as("reset keeps the chunks").isEqualTo(held);
        assertThat(arena.allocatedBytes()).isZero();
        for (MemorySegment s : live) {
          if (s.byteSize() > 0) {
            assertThatThrownBy(() -> s.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
          }
        }
      }
      assertThat(budget.used()).isEqualTo(arena.heldBytes());
    }
  }

  @Test
  void resetReusesTheSameMemoryAndInvalidatesOldSegments() {
    MemoryBudget budget = new MemoryBudget(64 * Sizes.MiB);
    try (ArenaPool pool = new ArenaPool(budget);
        TransactionArena arena = pool.acquire(TransactionProfile.TINY)) {
      MemorySegment first = arena.allocate(1000);
      for (int i = 0; i < 40; i++) arena.allocate(1000); // spills into more chunks
      int chunks = arena.chunkCount();
      long used = budget.used();
      assertThat(chunks).isGreaterThan(1);
      arena.reset();
      MemorySegment again = arena.allocate(1000);
      assertThat(again.address()).isEqualTo(first.address());
      assertThatThrownBy(() -> first.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      again.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
      for (int i = 0; i < 40; i++) arena.allocate(1000);
      assertThat(arena.chunkCount()).as("the kept chunks serve the next transaction").isEqualTo(chunks);
      assertThat(budget.used()).isEqualTo(used);
    }
  }

  @Test
  void confinedArenaBelongsToItsThread() throws Exception {
    try (ArenaPool pool = new ArenaPool(new MemoryBudget(64 * Sizes.MiB))) {
      TransactionArena arena = pool.acquire(TransactionProfile.TINY);
      MemorySegment s = arena.allocate(64);
      AtomicReference<Throwable> access = new AtomicReference<>();
      AtomicReference<Throwable> reset = new AtomicReference<>();
      Thread t = new Thread(() -> {
        try {
          s.get(ValueLayout.JAVA_BYTE, 0);
        } catch (Throwable e) {
          access.set(e);
        }
        try {
          arena.reset();
        } catch (Throwable e) {
          reset.set(e);
        }
      });
      t.start();
      t.join();
      assertThat(access.get()).isInstanceOf(WrongThreadException.class);
      assertThat(reset.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("confined to thread");
      arena.close();
    }
  }

  @Test
  void sharedArenaWorksAcrossThreads() throws Exception {
    try (ArenaPool pool = new ArenaPool(new MemoryBudget(64 * Sizes.MiB))) {
      TransactionArena arena = pool.acquireShared(TransactionProfile.SMALL);
      assertThat(arena.isShared()).isTrue();
      MemorySegment s = arena.allocate(64);
      s.set(ValueLayout.JAVA_LONG, 0, 99);
      AtomicReference<Object> seen = new AtomicReference<>();
      Thread t = new Thread(() -> {
        try {
          seen.set(s.get(ValueLayout.JAVA_LONG, 0));
          arena.reset();
        } catch (Throwable e) {
          seen.set(e);
        }
      });
      t.start();
      t.join();
      assertThat(seen.get()).isEqualTo(99L);
      assertThatThrownBy(() -> s.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
      arena.close();
    }
  }

  @Test
  void poolReusesChunksAndCountsActiveArenas() {
    MemoryBudget budget = new MemoryBudget(64 * Sizes.MiB);
    try (ArenaPool pool = new ArenaPool(budget, 1)) {
      TransactionArena a = pool.acquire(TransactionProfile.SMALL);
      TransactionArena b = pool.acquire(TransactionProfile.SMALL);
      assertThat(pool.activeArenas()).isEqualTo(2);
      a.allocate(100 * 1024);
      long aHeld = a.heldBytes();
      a.close();
      b.close();
      assertThat(pool.activeArenas()).isZero();
      assertThat(pool.idleArenas()).as("one kept per profile").isEqualTo(1);
      assertThat(pool.heldBytes()).isEqualTo(aHeld);
      TransactionArena c = pool.acquire(TransactionProfile.SMALL);
      assertThat(c.heldBytes()).as("c got a's chunks").isEqualTo(aHeld);
      assertThat(budget.used()).isEqualTo(aHeld);
      c.close();
      assertThatThrownBy(() -> c.allocate(1)).isInstanceOf(ClosedException.class);
      assertThatThrownBy(c::reset).isInstanceOf(ClosedException.class);
      c.close(); // twice is harmless
      assertThat(pool.reclaim(1, ReclaimUrgency.GENTLE)).isEqualTo(aHeld);
      assertThat(budget.used()).isZero();
    }
  }

  @Test
  void budgetLimitsArenasToo() {
    MemoryBudget budget = new MemoryBudget(300 * 1024);
    try (ArenaPool pool = new ArenaPool(budget);
        TransactionArena arena = pool.acquire(TransactionProfile.MEDIUM)) {
      assertThat(budget.used()).isEqualTo(256 * 1024);
      arena.allocate(240 * 1024, 1);
      // The next chunk would double to 512 KiB; under pressure the arena asks only for what it needs.
      arena.allocate(30 * 1024, 1);
      assertThat(budget.used()).isEqualTo(256 * 1024 + 32 * 1024);
      assertThatThrownBy(() -> arena.allocate(200 * 1024, 1)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("memory budget of 300 KiB exceeded")
          .hasMessageContaining("transaction arena chunk");
      assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
      arena.allocate(1000).fill((byte) 1); // still usable
    }
    assertThat(budget.used()).isZero();
  }
}
