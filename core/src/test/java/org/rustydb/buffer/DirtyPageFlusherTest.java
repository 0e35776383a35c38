package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rustydb.ClosedException;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageChecksum;
import org.rustydb.stats.FlusherStats;

@SuppressWarnings("try")
class DirtyPageFlusherTest {

  static final int FILE = 5;
  final HookedPageFileStore store = new HookedPageFileStore();
  final List<String> events = new CopyOnWriteArrayList<>();
  BufferPool pool;

  BufferPool open(int frames, boolean background, FlusherOptions flush) {
    store.createFile(FILE, 512);
    pool = new BufferPool(store, BufferPoolOptions.builder().frames(frames).replacer(LruReplacer::new)
        .prefetch(false).walFlushHook(lsn -> events.add("wal " + lsn)).flusher(flush).backgroundFlush(background)
        .build());
    return pool;
  }

  static FlusherOptions manualOptions() {
    return FlusherOptions.builder().dirtyRatioThreshold(0).idleDirtyRatioThreshold(0).build();
  }

  @AfterEach
  void tearDown() {
    if (pool != null) pool.close();
  }

  static long page(long no) {
    return PageId.of(FILE, no);
  }

  void dirty(long no, long value, long lsn) {
    try (WriteGuard g = pool.write(page(no))) {
      g.setLong(8, lsn);
      g.setLong(64, value);
    }
  }

  long storedLong(long no, int offset) {
    return ByteBuffer.wrap(store.stored(page(no))).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
  }

  @Test
  void writesDirtyPagesCombinedAndLeavesThemClean() {
    open(64, false, manualOptions());
    long[] nos = {1, 2, 3, 7, 8, 30};
    for (long no : nos) dirty(no, 100 + no, 0);
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, manualOptions())) {
      assertThat(f.runRound()).isEqualTo(6);
      assertThat(pool.stats().dirtyFrames()).isZero();
      for (long no : nos) {
        assertThat(storedLong(no, 64)).isEqualTo(100 + no);
        byte[] bytes = store.stored(page(no));
        assertThat(PageChecksum.verify(java.lang.foreign.MemorySegment.ofArray(bytes))).isTrue();
      }
      // {1,2,3,7,8} is one batch (gaps <= 10) in two runs; {30} another: 6 pages, 3 writes
      assertThat(store.writeOps()).isEqualTo(3);
      FlusherStats s = f.stats();
      assertThat(s.pagesWritten()).isEqualTo(6);
      assertThat(s.batches()).isEqualTo(2);
      assertThat(s.writeOps()).isEqualTo(3);
      assertThat(s.writesSaved()).isEqualTo(3);
      assertThat(f.runRound()).isZero(); // nothing dirty any more
    }
  }

  @Test
  void walHookGetsTheRunsPageLsnBeforeTheWrite() {
    open(64, false, manualOptions());
    dirty(10, 1, 500);
    dirty(11, 1, 700);
    dirty(40, 1, 900);
    store.beforeWrite = p -> events.add("write " + PageId.pageNo(p));
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, manualOptions())) {
      f.runRound();
    }
    assertThat(events).containsExactly("wal 700", "write 10", "wal 900", "write 40");
  }

  @Test
  void aPageModifiedDuringItsFlushStaysDirty() throws Exception {
    open(64, false, manualOptions());
    dirty(3, 1, 0);
    CountDownLatch inWrite = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeWrite = p -> {
      inWrite.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, manualOptions());
         AutoCloseable unblock = release::countDown) { // a failed assertion must not leave the write blocked
      Thread t = Thread.ofPlatform().start(f::runRound);
      assertThat(inWrite.await(30, TimeUnit.SECONDS)).isTrue();
      // The copy is in flight and the latch is free: a writer gets in without waiting for the I/O.
      dirty(3, 2, 0);
      // Eviction must not write the newer image under the in-flight copy: page 3 is not a victim now.
      release.countDown();
      t.join();
      store.beforeWrite = p -> {};
      assertThat(storedLong(3, 64)).isEqualTo(1); // the snapshot
      assertThat(pool.stats().dirtyFrames()).isEqualTo(1); // version changed: still dirty
      assertThat(f.runRound()).isEqualTo(1);
      assertThat(storedLong(3, 64)).isEqualTo(2);
      assertThat(pool.stats().dirtyFrames()).isZero();
    }
  }

  @Test
  void flushOfOnePageWaitsForTheFlushersCopyToLand() throws Exception {
    open(64, false, manualOptions());
    dirty(3, 1, 0);
    CountDownLatch inWrite = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeWrite = p -> {
      if (inWrite.getCount() == 0) return; // only the flusher's write blocks
      inWrite.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, manualOptions());
         AutoCloseable unblock = release::countDown) { // a failed assertion must not leave the write blocked
      Thread t = Thread.ofPlatform().start(f::runRound);
      assertThat(inWrite.await(30, TimeUnit.SECONDS)).isTrue();
      dirty(3, 2, 0);
      Thread flusher2 = Thread.ofPlatform().start(() -> pool.flush(page(3)));
      // flush(3) must wait for the in-flight copy of value 1 to land before writing value 2: it either waits
      // (seen in its stack) or, wrongly, finishes while the copy is still held back.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (flusher2.isAlive() && !waitingForFlush(flusher2) && System.nanoTime() < deadline) Thread.onSpinWait();
      assertThat(flusher2.isAlive()).as("flush(page) returned while the flusher's copy was in flight").isTrue();
      assertThat(store.writes()).isZero();
      release.countDown();
      t.join();
      flusher2.join();
      assertThat(storedLong(3, 64)).isEqualTo(2);
    }
  }

  @Test
  void aCheckpointWritesWhatItHoldsBeforeWaitingForALatchedPage() throws Exception {
    open(64, false, manualOptions());
    dirty(20, 1, 0);
    dirty(21, 1, 0);
    WriteGuard held = pool.write(page(21)); // a writer sits on the batch's second page
    Thread checkpoint;
    try {
      checkpoint = Thread.ofPlatform().start(pool::flushAll);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!inStack(checkpoint, "awaitChange") && System.nanoTime() < deadline) Thread.onSpinWait();
      assertThat(inStack(checkpoint, "awaitChange")).as("checkpoint waits for the held page").isTrue();
      // Page 20's copy landed before the wait: nobody who waits for its flight (flush(20) by the thread that
      // holds page 21, say) can deadlock with the checkpoint.
      assertThat(store.writes()).isEqualTo(1);
      pool.flush(page(20));
    } finally {
      held.close();
    }
    checkpoint.join();
    assertThat(pool.stats().dirtyFrames()).isZero();
    assertThat(store.writes()).isEqualTo(2);
  }

  static boolean inStack(Thread t, String method) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getMethodName().equals(method)) return true;
    }
    return false;
  }

  static boolean waitingForFlush(Thread t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getMethodName().equals("awaitNoFlush")) return true;
    }
    return false;
  }

  @Test
  void flushAllUsesTheCombinedPath() {
    open(128, false, FlusherOptions.DEFAULTS);
    for (long no = 1; no <= 40; no++) dirty(no, no, 0);
    dirty(100, 1, 0);
    pool.flushAll();
    assertThat(store.writes()).isEqualTo(41);
    assertThat(store.writeOps()).isEqualTo(2); // 1..40 in one run, 100 alone
    assertThat(pool.stats().dirtyFrames()).isZero();
    assertThat(pool.stats().checkpoints()).isEqualTo(1);
  }

  @Test
  void belowTheDirtyRatioTheFlusherWaits() {
    open(100, false, manualOptions());
    for (long no = 1; no <= 9; no++) dirty(no, no, 0);
    FlusherOptions tenth = FlusherOptions.builder().dirtyRatioThreshold(0.1).idleDirtyRatioThreshold(0.1).build();
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, tenth)) {
      assertThat(f.runRound()).isZero();
      dirty(10, 10, 0);
      assertThat(f.runRound()).isEqualTo(10);
    }
  }

  /** By default a pool that is not evicting is left alone until half its frames are dirty. */
  @Test
  void byDefaultAPoolThatDoesNotEvictIsFlushedOnceHalfDirty() {
    open(100, false, manualOptions());
    for (long no = 1; no <= 49; no++) dirty(no, no, 0);
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, FlusherOptions.DEFAULTS)) {
      assertThat(f.runRound()).isZero();
      dirty(50, 50, 0);
      assertThat(f.runRound()).isEqualTo(50);
    }
  }

  /** The idle threshold is never below the evicting one: the builder raises it, the record refuses it. */
  @Test
  void theIdleThresholdIsAtLeastTheEvictingOne() {
    assertThat(FlusherOptions.DEFAULTS.dirtyRatioThreshold()).isEqualTo(0.10);
    assertThat(FlusherOptions.DEFAULTS.idleDirtyRatioThreshold()).isEqualTo(0.50);
    assertThat(FlusherOptions.builder().dirtyRatioThreshold(0.8).build().idleDirtyRatioThreshold()).isEqualTo(0.8);
    assertThatThrownBy(() -> new FlusherOptions(100, 10, 64, 0.3, 0.2, Duration.ofMillis(100)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle dirty ratio threshold");
    assertThatThrownBy(() -> FlusherOptions.builder().idleDirtyRatioThreshold(1.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle dirty ratio threshold");
  }

  /** By default a pool that evicted since the last round is flushed from a tenth dirty: misses need clean victims. */
  @Test
  void byDefaultAnEvictingPoolIsFlushedOnceATenthDirty() {
    open(100, false, manualOptions()); // LRU: the order of admission is the order of eviction here
    for (long no = 200; no < 210; no++) pool.read(page(no)).close();
    for (long no = 1; no <= 10; no++) dirty(no, no, 0);
    for (long no = 210; no < 290; no++) pool.read(page(no)).close(); // every frame used, none evicted
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, FlusherOptions.DEFAULTS)) {
      assertThat(f.runRound()).as("10 dirty, not evicting: under half").isZero();
      for (long no = 290; no < 300; no++) pool.read(page(no)).close(); // evicts 200..209, clean
      assertThat(f.runRound()).as("evicting, a tenth dirty, and 1..10 the next victims").isEqualTo(10);
      for (long no = 11; no <= 19; no++) dirty(no, no, 0); // nine misses, evicting 1..9, clean now
      assertThat(f.runRound()).as("evicting, but under a tenth dirty").isZero();
    }
  }

  @Test
  void whileThePoolEvictsARoundWritesOnlyTheNextVictims() {
    open(100, false, manualOptions());
    for (long no = 1; no <= 100; no++) dirty(no, no, 0); // admitted in this order: LRU's eviction order
    for (long no = 201; no <= 210; no++) pool.read(page(no)).close(); // evicts 1..10, writing each
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, FlusherOptions.DEFAULTS)) {
      // 90 dirty, well within the allowance; but only the 20 coldest frames (twice the 10 evictions) are
      // written: 11..30, the next victims. A hot page written now would only be dirty again by its eviction.
      assertThat(f.runRound()).isEqualTo(20);
      for (long no = 11; no <= 30; no++) assertThat(storedLong(no, 64)).as("page %d", no).isEqualTo(no);
      for (long no = 31; no <= 100; no++) assertThat(storedLong(no, 64)).as("page %d", no).isZero();
      assertThat(pool.stats().dirtyFrames()).isEqualTo(70);
      for (long no = 211; no <= 250; no++) pool.read(page(no)).close(); // evicts 11..50: 31..50 written now
      assertThat(f.runRound()).as("the coldest 80 frames: 51..100 (dirty), 201..230").isEqualTo(50);
      assertThat(pool.stats().dirtyFrames()).isZero();
    }
  }

  @Test
  void aRoundWritesAtMostItsAllowanceAndSkipsHeldPages() {
    open(64, false, manualOptions());
    // 1 MiB/s over a 100 ms round: 25 pages
    FlusherOptions slow = FlusherOptions.builder().dirtyRatioThreshold(0)
        .idleDirtyRatioThreshold(0).targetBandwidthMiBps(1)
        .round(Duration.ofMillis(100)).maxBatch(8).build();
    for (long no = 1; no <= 50; no++) dirty(no, no, 0);
    try (DirtyPageFlusher f = DirtyPageFlusher.manual(pool, slow); ReadGuard held = pool.read(page(1))) {
      long first = f.runRound();
      assertThat(first).isBetween(25L, 32L); // whole batches of 8 until the allowance is reached
      assertThat(pool.stats().dirtyFrames()).isEqualTo(50 - (int) first);
      while (f.runRound() > 0) {
        // drain
      }
      assertThat(pool.stats().dirtyFrames()).isEqualTo(1); // page 1 is held by a reader
    }
  }

  @Test
  void backgroundThreadIsNamedFlushesAndStopsWithThePool() {
    open(32, true, FlusherOptions.builder().dirtyRatioThreshold(0)
        .idleDirtyRatioThreshold(0).round(Duration.ofMillis(5)).build());
    assertThat(pool.flusher()).isPresent();
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals(DirtyPageFlusher.THREAD_NAME));
    for (long no = 1; no <= 10; no++) dirty(no, no, 0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (pool.stats().dirtyFrames() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
    assertThat(pool.stats().dirtyFrames()).isZero();
    assertThat(storedLong(10, 64)).isEqualTo(10);
    DirtyPageFlusher f = pool.flusher().orElseThrow();
    pool.close();
    assertThat(f.isRunning()).isFalse();
    f.close(); // twice: harmless
    pool.close();
  }

  @Test
  void ownerStartedFlusherClosesTwiceAndRefusesRoundsAfterwards() {
    open(32, false, manualOptions());
    DirtyPageFlusher f = DirtyPageFlusher.start(pool, manualOptions());
    assertThat(f.isRunning()).isTrue();
    f.close();
    f.close();
    assertThat(f.isRunning()).isFalse();
    assertThatThrownBy(f::runRound).isInstanceOf(ClosedException.class);
  }
}
