package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.rustydb.disk.PageId;
import org.rustydb.testing.Seeds;

/**
 * Threads x random guards on more pages than frames, checked against a model. Each page's words from offset
 * 32 to the end all hold the same counter (bytes 0..31 are the page header, where the pool stamps the
 * checksum); a write guard reads it, increments it and writes it into every word, and the model counts the
 * increments per page. Afterwards every page (through the pool and, after flushAll, on the store) must hold
 * exactly its model count (no lost update); every shared or validated optimistic read must see all words equal
 * (no torn read); and a guarded frame must still hold its page when the guard closes (pinned pages are never
 * evicted). Flushes and the prefetcher's background loads run alongside. Seed: -Dpool.seed=N (thread
 * scheduling is not reproducible, so a seed replays the operations, not the interleaving).
 */
class BufferPoolConcurrencyTest {

  static final int FILE = 1;
  static final int PAGES = 48;
  static final int FRAMES = 12;
  static final int THREADS = 4;
  static final int OPS = 40_000;

  @Test
  void randomGuardsAgainstAModel() throws Exception {
    long seed = Seeds.of("BufferPoolConcurrencyTest", "pool.seed");
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, PAGES);
    AtomicLongArray model = new AtomicLongArray(PAGES);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    try (BufferPool pool = new BufferPool(store, BufferPoolOptions.builder().frames(FRAMES)
        .replacer(LruReplacer::new).prefetch(true).build())) {
      List<Thread> threads = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom rnd = new SplittableRandom(seed + t);
        threads.add(Thread.ofPlatform().name("stress-" + t).start(() -> {
          try {
            start.await();
            int scan = 0;
            int run = 0;
            for (int i = 0; i < OPS && failures.isEmpty(); i++) {
              // Mostly random pages; runs of sequential ones so that the prefetcher loads pages concurrently.
              if (run == 0 && rnd.nextInt(16) == 0) {
                run = 8;
                scan = rnd.nextInt(PAGES);
              }
              int no = run > 0 ? (scan = (scan + 1) % PAGES) : rnd.nextInt(PAGES);
              if (run > 0) run--;
              long id = PageId.of(FILE, no);
              int op = rnd.nextInt(10);
              if (op < 4) {
                try (WriteGuard g = pool.write(id)) {
                  long v = g.getLong(32);
                  check(failures, g, id, "write");
                  for (long off = 32; off < 4096; off += 8) g.setLong(off, v + 1);
                  model.incrementAndGet(no);
                  if (g.frame.pageId != id) failures.add("write guard's frame lost page " + no);
                }
              } else if (op < 8) {
                try (ReadGuard g = pool.read(id)) {
                  check(failures, g, id, "read");
                  if (g.frame.pageId != id) failures.add("read guard's frame lost page " + no);
                }
              } else if (op == 8 && rnd.nextInt(8) == 0) {
                pool.flush(id);
              } else {
                OptimisticGuard g = pool.optimisticRead(id);
                long first = g.getLong(32);
                boolean same = true;
                for (long off = 40; off < 4096; off += 8) same &= g.getLong(off) == first;
                if (g.validate() && !same) failures.add("validated optimistic read of page " + no + " was torn");
              }
            }
          } catch (Throwable e) {
            failures.add(Thread.currentThread().getName() + ": " + e);
          }
        }));
      }
      start.countDown();
      for (Thread t : threads) t.join();
      assertThat(failures).as("seed %d", seed).isEmpty();
      for (int no = 0; no < PAGES; no++) {
        try (ReadGuard g = pool.read(PageId.of(FILE, no))) {
          assertThat(g.getLong(32)).as("page %d, seed %d", no, seed).isEqualTo(model.get(no));
        }
      }
      pool.flushAll();
      for (int no = 0; no < PAGES; no++) {
        byte[] b = store.stored(PageId.of(FILE, no));
        long v = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(4088);
        assertThat(v).as("stored page %d, seed %d", no, seed).isEqualTo(model.get(no));
      }
      assertThat(pool.stats().evictions()).as("the test must evict").isGreaterThan(100);
      assertThat(pool.stats().prefetches()).as("the prefetcher must run alongside").isGreaterThan(0);
      // Background prefetch loads may still hold a frame for a moment: wait (bounded) for them to finish.
      for (int i = 0; i < 1_000_000 && pool.stats().pinnedFrames() != 0; i++) Thread.yield();
      assertThat(pool.stats().pinnedFrames()).isZero();
    }
  }

  private static void check(ConcurrentLinkedQueue<String> failures, PageGuard g, long id, String what) {
    long first = g.getLong(32);
    for (long off = 40; off < 4096; off += 8) {
      if (g.getLong(off) != first) {
        failures.add(what + " guard saw a torn page " + PageId.toString(id) + " at offset " + off);
        return;
      }
    }
  }

  @Test
  void concurrentMissesOnOnePageIssueOneRead() throws Exception {
    CountDownLatch readStarted = new CountDownLatch(1);
    CountDownLatch releaseRead = new CountDownLatch(1);
    InMemoryPageFileStore store = new InMemoryPageFileStore() {
      @Override
      protected void beforeRead(long pageId) {
        readStarted.countDown();
        try {
          releaseRead.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    store.createFile(FILE, 4);
    long id = PageId.of(FILE, 2);
    try (BufferPool pool = new BufferPool(store, BufferPoolOptions.builder().frames(4)
        .replacer(LruReplacer::new).prefetch(false).build())) {
      ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        threads.add(Thread.ofPlatform().start(() -> {
          try (ReadGuard g = pool.read(id)) {
            seen.add(g.pageId());
          }
        }));
      }
      readStarted.await();
      // Wait (bounded) until every other thread is parked on the loading frame's latch, then let the read go.
      for (int i = 0; i < 1_000_000 && !allWaiting(threads); i++) Thread.yield();
      releaseRead.countDown();
      for (Thread t : threads) t.join();
      assertThat(seen).hasSize(6);
      assertThat(store.reads(id)).isEqualTo(1);
      assertThat(pool.stats().missCount()).isEqualTo(1);
      assertThat(pool.stats().hitCount()).isEqualTo(5);
    }
  }

  /**
   * The hit path's invariants under a race with eviction: readers take read guards (the biased path through a
   * reader slot, or the one-add counted path)
   * and optimistic reads on a few hot pages and hold the guards a random while; churners miss on cold pages
   * of a pool with few frames, so that every unpinned frame is evicted again and again. A held guard must
   * keep its page (frame, bytes) until it closes; an optimistic read that validates must have seen its own
   * page; and, with exact hit counting, hits + misses must equal the guards opened. Seed: -Dpool.seed=N.
   */
  @Test
  void pinnedPagesSurviveEvictionPressure() throws Exception {
    long seed = Long.getLong("pool.seed", System.nanoTime());
    System.out.println("BufferPoolConcurrencyTest.pinnedPagesSurviveEvictionPressure seed " + seed
        + " (rerun with -Dpool.seed=" + seed + ")");
    SplittableRandom setup = new SplittableRandom(seed);
    int pages = 64;
    int frames = 8;
    int hot = 4;
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, pages);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.LongAdder opened = new java.util.concurrent.atomic.LongAdder();
    int hitWindow = setup.nextBoolean() ? 0 : -1; // 0: every hit also goes to the policy (the rare path)
    try (BufferPool pool = new BufferPool(store, BufferPoolOptions.builder().frames(frames)
        .replacer(LruReplacer::new).hitWindow(hitWindow).prefetch(false).build())) {
      for (int no = 0; no < pages; no++) { // each page holds its own id at offset 64
        try (WriteGuard g = pool.write(PageId.of(FILE, no))) {
          g.setLong(64, PageId.of(FILE, no));
        }
      }
      long before = pool.stats().hitCount() + pool.stats().missCount();
      List<Thread> threads = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < 4; t++) {
        boolean reader = t < 2;
        SplittableRandom rnd = new SplittableRandom(seed * 31 + t);
        threads.add(Thread.ofPlatform().name((reader ? "holder-" : "churner-") + t).start(() -> {
          try {
            start.await();
            for (int i = 0; i < 20_000 && failures.isEmpty(); i++) {
              if (!reader) {
                long id = PageId.of(FILE, hot + rnd.nextInt(pages - hot));
                try (ReadGuard g = pool.read(id)) {
                  opened.increment();
                  if (g.getLong(64) != id) failures.add("churner read page " + id + " and saw " + g.getLong(64));
                }
                continue;
              }
              long id = PageId.of(FILE, rnd.nextInt(hot));
              if (rnd.nextInt(4) == 0) {
                OptimisticGuard g = pool.optimisticRead(id);
                opened.increment();
                long seen = g.getLong(64);
                if (g.validate() && seen != id) failures.add("validated optimistic read of " + id + " saw " + seen);
                continue;
              }
              try (ReadGuard g = pool.read(id)) {
                opened.increment();
                Frame f = g.frame;
                if (g.getLong(64) != id) failures.add("read guard on " + id + " saw " + g.getLong(64));
                for (int spin = rnd.nextInt(200); spin > 0; spin--) Thread.onSpinWait(); // let churners evict
                if (f.pageId != id) failures.add("pinned page " + id + " lost its frame to " + f.pageId);
                if (!f.isHeld()) failures.add("frame of pinned page " + id + " not held");
                if (g.getLong(64) != id) failures.add("pinned page " + id + " changed to " + g.getLong(64));
              }
            }
          } catch (Throwable e) {
            failures.add(Thread.currentThread().getName() + ": " + e);
          }
        }));
      }
      start.countDown();
      for (Thread t : threads) t.join();
      assertThat(failures).as("seed %d", seed).isEmpty();
      var stats = pool.stats();
      assertThat(stats.evictions()).as("the churners must evict").isGreaterThan(1000);
      assertThat(stats.hitCount() + stats.missCount() - before).as("every guard counted once, seed %d", seed)
          .isEqualTo(opened.sum());
      assertThat(stats.pinnedFrames()).isZero();
      assertThat(pool.biasedHits()).as("read guards took the biased path (reader slots) too").isPositive();
    }
  }

  private static boolean allWaiting(List<Thread> threads) {
    int waiting = 0;
    for (Thread t : threads) {
      Thread.State s = t.getState();
      if (s == Thread.State.WAITING || s == Thread.State.BLOCKED || s == Thread.State.TIMED_WAITING) waiting++;
    }
    return waiting == threads.size();
  }
}
