package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rustydb.disk.DiskManagerTest.assertPage;
import static org.rustydb.disk.DiskManagerTest.fill;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sequential-read detection and the read-ahead cache. */
class ReadAheadTest {

  @TempDir Path tmp;
  DataDirectory dir;
  DiskManager dm;
  int file;
  final MemorySegment page = Arena.ofAuto().allocate(4096, 4096);

  /** Opens a disk manager with {@code options} over one file of 100 written pages (pages 1..100). */
  private void open(DiskOptions options) {
    dir = DataDirectory.create(tmp.resolve("db"));
    try (DiskManager writer = DiskManager.open(dir)) {
      int f = writer.createFile("t.dat");
      for (int i = 0; i < 100; i++) {
        long p = writer.allocatePage(f);
        fill(page, p, 0);
        writer.writePage(p, page);
      }
    }
    dm = DiskManager.open(dir, options);
    file = dm.openFile("t.dat");
  }

  @AfterEach
  void close() {
    dm.close();
    dir.close();
  }

  private void read(long pageNo) {
    long p = PageId.of(file, pageNo);
    dm.readPage(p, page);
    assertPage(page, p, 0);
  }

  /**
   * A failed write of a prefetched page drops the prefetched copy: the disk may hold anything there now
   * (a torn write), and serving the old bytes would hand out a page without its latest changes.
   */
  @Test
  void aFailedWriteForgetsTheReadAheadCopyOfItsPages() {
    dir = DataDirectory.create(tmp.resolve("db"));
    try (DiskManager writer = DiskManager.open(dir)) {
      int f = writer.createFile("t.dat");
      for (int i = 0; i < 40; i++) {
        long p = writer.allocatePage(f);
        fill(page, p, 0);
        writer.writePage(p, page);
      }
    }
    try (org.rustydb.io.IoEngine real = org.rustydb.io.IoEngines.create(org.rustydb.io.IoOptions.defaults());
        org.rustydb.io.FaultInjectingIoEngine engine = new org.rustydb.io.FaultInjectingIoEngine(real)) {
      dm = DiskManager.open(dir, DiskOptions.defaults(), engine);
      file = dm.openFile("t.dat");
      read(10);
      read(11);
      read(12);
      long p15 = PageId.of(file, 15), p16 = PageId.of(file, 16), p17 = PageId.of(file, 17);
      assertThat(dm.readAheadHolds(p15)).isTrue();
      assertThat(dm.readAheadHolds(p17)).isTrue();
      engine.tearNthWrite(1, r -> true, 0);
      fill(page, p15, 1);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dm.writePage(p15, page)).isInstanceOf(RuntimeException.class);
      assertThat(dm.readAheadHolds(p15)).as("the failed write's page").isFalse();
      assertThat(dm.readAheadHolds(p17)).as("other pages keep theirs").isTrue();
      MemorySegment two = Arena.ofAuto().allocate(2 * 4096L, 4096);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dm.writePages(p16, two)).isInstanceOf(RuntimeException.class);
      assertThat(dm.readAheadHolds(p16)).isFalse();
      assertThat(dm.readAheadHolds(p17)).isFalse();
      dm.close();
      dm = DiskManager.open(dir, DiskOptions.defaults()); // for the @AfterEach
    }
  }

  @Test
  void threeConsecutiveReadsPrefetchTheNextEight() {
    open(DiskOptions.defaults());
    read(10);
    read(11);
    assertThat(dm.stats().prefetchIssued()).isZero();
    read(12);
    assertThat(dm.stats().prefetchIssued()).isEqualTo(8);
    for (long p = 13; p <= 20; p++) assertThat(dm.readAheadHolds(PageId.of(file, p))).as("page %d", p).isTrue();
    assertThat(dm.readAheadHolds(PageId.of(file, 21))).isFalse();
    long readsBefore = dm.stats().pagesRead();
    for (long p = 13; p <= 19; p++) read(p);
    assertThat(dm.stats().prefetchHits()).isEqualTo(7);
    assertThat(dm.stats().pagesRead()).as("hits cost no I/O").isEqualTo(readsBefore);
    read(20); // the last page of the window fetches the next window
    assertThat(dm.stats().prefetchIssued()).isEqualTo(16);
    assertThat(dm.readAheadHolds(PageId.of(file, 28))).isTrue();
    assertThat(dm.stats().prefetchWasted()).isZero();
  }

  @Test
  void aFullScanIsServedMostlyFromReadAhead() {
    open(DiskOptions.defaults());
    for (long p = 1; p <= 100; p++) read(p);
    DiskStats s = dm.stats();
    assertThat(s.prefetchHits()).isGreaterThanOrEqualTo(90);
    assertThat(s.prefetchIssued()).isEqualTo(s.prefetchHits());
    assertThat(s.prefetchWasted()).isZero();
  }

  @Test
  void randomReadsPrefetchNothing() {
    open(DiskOptions.defaults());
    for (long p : new long[] {50, 3, 77, 4, 90, 12, 13, 60, 61, 9}) read(p);
    assertThat(dm.stats().prefetchIssued()).isZero();
  }

  @Test
  void prefetchStopsAtTheEndOfTheFile() {
    open(DiskOptions.defaults());
    read(96);
    read(97);
    read(98);
    assertThat(dm.stats().prefetchIssued()).isEqualTo(2); // pages 99 and 100
    read(99);
    read(100);
    assertThat(dm.stats().prefetchHits()).isEqualTo(2);
  }

  @Test
  void thresholdAndWindowAreConfigurable() {
    open(DiskOptions.builder().sequentialThreshold(2).prefetchPages(4).build());
    read(1);
    read(2);
    assertThat(dm.stats().prefetchIssued()).isEqualTo(4);
    assertThat(dm.readAheadHolds(PageId.of(file, 6))).isTrue();
    assertThat(dm.readAheadHolds(PageId.of(file, 7))).isFalse();
  }

  @Test
  void prefetchZeroTurnsReadAheadOff() {
    open(DiskOptions.builder().prefetchPages(0).build());
    for (long p = 1; p <= 30; p++) read(p);
    assertThat(dm.stats().prefetchIssued()).isZero();
    assertThat(dm.stats().pagesRead()).isEqualTo(30);
  }

  @Test
  void aWriteAfterPrefetchIsNeverHiddenByTheStaleCopy() {
    open(DiskOptions.defaults());
    read(1);
    read(2);
    read(3);
    long p5 = PageId.of(file, 5);
    assertThat(dm.readAheadHolds(p5)).isTrue();
    fill(page, p5, 7);
    dm.writePage(p5, page);
    assertThat(dm.readAheadHolds(p5)).isFalse();
    assertThat(dm.stats().prefetchWasted()).isEqualTo(1);
    dm.readPage(p5, page);
    assertPage(page, p5, 7);
  }

  @Test
  void unreadPrefetchedPagesEvictedFromAFullCacheCountAsWasted() {
    open(DiskOptions.builder().prefetchPages(8).readAheadCachePages(8).build());
    read(1);
    read(2);
    read(3); // prefetches 4..11
    read(40);
    read(41);
    read(42); // prefetches 43..50, evicting 4..11 unread
    assertThat(dm.stats().prefetchWasted()).isEqualTo(8);
    assertThat(dm.readAheadHolds(PageId.of(file, 4))).isFalse();
  }

  @Test
  void freeingAndDroppingInvalidate() {
    open(DiskOptions.defaults());
    read(1);
    read(2);
    read(3);
    dm.freePage(PageId.of(file, 4));
    assertThat(dm.readAheadHolds(PageId.of(file, 4))).isFalse();
    dm.dropFile(file);
    assertThat(dm.readAheadHolds(PageId.of(file, 5))).isFalse();
    assertThat(dm.stats().prefetchWasted()).isEqualTo(8);
  }

  @Test
  void aHintReadsTheRunInOneOperationAndTheReadsThatFollowCostNoIo() {
    open(DiskOptions.defaults()); // cache of 64 pages: a hint reads at most 32
    long opsBefore = dm.stats().pagesRead();
    dm.readAhead(PageId.of(file, 10), 40);
    assertThat(dm.stats().pagesRead() - opsBefore).isEqualTo(32);
    assertThat(dm.readAheadHolds(PageId.of(file, 41))).isTrue();
    assertThat(dm.readAheadHolds(PageId.of(file, 42))).isFalse();
    long after = dm.stats().pagesRead();
    for (long p = 10; p <= 41; p++) read(p);
    assertThat(dm.stats().pagesRead()).as("served from the hint, and no read-ahead of its own inside it").isEqualTo(after);
    assertThat(dm.stats().prefetchHits()).isEqualTo(32);
    assertThat(dm.stats().prefetchWasted()).isZero();
  }

  @Test
  void aHintIsClippedToTheFileAndIgnoredWhereItCannotHelp() {
    open(DiskOptions.defaults());
    dm.readAhead(PageId.of(file, 95), 32); // the file has pages 0..100
    assertThat(dm.stats().prefetchIssued()).isEqualTo(6);
    dm.readAhead(PageId.of(file, 0), 4); // the header page is never a pool page
    dm.readAhead(PageId.of(file, 500), 4); // past the end
    dm.readAhead(PageId.of(file + 1, 1), 4); // no such file
    assertThat(dm.stats().prefetchIssued()).isEqualTo(6);
    dm.close();
    dir.close();
    open2(DiskOptions.builder().prefetchPages(0).build());
    dm.readAhead(PageId.of(file, 1), 8);
    assertThat(dm.stats().prefetchIssued()).as("read-ahead off").isZero();
  }

  private void open2(DiskOptions options) {
    dir = DataDirectory.open(tmp.resolve("db"));
    dm = DiskManager.open(dir, options);
    file = dm.openFile("t.dat");
  }

  @Test
  void aWriteAfterAHintIsNeverHiddenByTheStaleCopy() {
    open(DiskOptions.defaults());
    dm.readAhead(PageId.of(file, 1), 8);
    long p5 = PageId.of(file, 5);
    fill(page, p5, 9);
    dm.writePage(p5, page);
    dm.readPage(p5, page);
    assertPage(page, p5, 9);
  }

  /**
   * The order behind rows that vanished in the crash sweep with the background flusher
   * ({@code PageCrashSweepTest}): a read-ahead has read page 5 (old bytes) and passed its staleness check
   * when a write of page 5 lands. The write's invalidation must wait for the insert and remove it; it used
   * to skip the cache because it still looked empty, and the old copy was served by the next read (in the
   * database: once the pool had evicted the page the flusher wrote and read it again).
   */
  @Test
  void aWriteLandingWhileAReadAheadInsertsIsNeverHiddenByTheStaleCopy() throws Exception {
    open(DiskOptions.defaults());
    ReadAheadCache cache = dm.readAheadCache();
    CountDownLatch checked = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    cache.afterStalenessCheck = () -> {
      checked.countDown();
      try {
        if (!go.await(30, TimeUnit.SECONDS)) failure.compareAndSet(null, new AssertionError("never let go"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Thread readAhead = thread("test-read-ahead", () -> dm.readAhead(PageId.of(file, 1), 8), failure);
    assertThat(checked.await(30, TimeUnit.SECONDS)).as("the read-ahead reached its insert").isTrue();
    cache.afterStalenessCheck = null;

    long p5 = PageId.of(file, 5);
    MemorySegment newer = Arena.ofAuto().allocate(4096, 4096);
    fill(newer, p5, 7);
    Thread writer = thread("test-writer", () -> dm.writePage(p5, newer), failure);
    // The write has landed and either finished or waits for the insert (blocked on the cache's monitor).
    waitUntil(() -> !writer.isAlive() || blockedOn(writer, cache));
    go.countDown();
    readAhead.join();
    writer.join();
    assertThat(failure.get()).isNull();

    dm.readPage(p5, page);
    assertPage(page, p5, 7);
  }

  private static Thread thread(String name, Runnable body, AtomicReference<Throwable> failure) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, name);
    t.start();
    return t;
  }

  private static boolean blockedOn(Thread t, Object monitor) {
    ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.threadId());
    return info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
        && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(monitor);
  }

  private static void waitUntil(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not reached in 30 s");
      Thread.yield();
    }
  }
}
