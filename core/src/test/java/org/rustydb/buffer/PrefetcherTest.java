package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.rustydb.buffer.AccessPatternDetector.Pattern;
import org.rustydb.disk.PageId;
import org.rustydb.stats.BufferPoolStats;

class PrefetcherTest {

  private static long[] feed(AccessPatternDetector d, int depth, long... pages) {
    long[] out = new long[32];
    int n = 0;
    for (long p : pages) n = d.access(p, depth, out);
    return Arrays.copyOf(out, n);
  }

  @Test
  void detectsSequentialForward() {
    AccessPatternDetector d = new AccessPatternDetector();
    assertThat(feed(d, 4, 10, 11)).isEmpty();
    assertThat(feed(d, 4, 12)).containsExactly(13, 14, 15, 16);
    assertThat(d.pattern()).isEqualTo(Pattern.SEQUENTIAL_FORWARD);
  }

  @Test
  void detectsSequentialBackwardAndStopsAtPageZero() {
    AccessPatternDetector d = new AccessPatternDetector();
    assertThat(feed(d, 8, 5, 4, 3)).containsExactly(2, 1, 0);
    assertThat(d.pattern()).isEqualTo(Pattern.SEQUENTIAL_BACKWARD);
  }

  @Test
  void detectsStrides() {
    AccessPatternDetector d = new AccessPatternDetector();
    assertThat(feed(d, 3, 100, 108, 116)).containsExactly(124, 132, 140);
    assertThat(d.pattern()).isEqualTo(Pattern.STRIDED);
    AccessPatternDetector back = new AccessPatternDetector();
    assertThat(feed(back, 2, 50, 40, 30)).containsExactly(20, 10);
  }

  @Test
  void detectsARepeatingPageSet() {
    AccessPatternDetector d = new AccessPatternDetector();
    assertThat(feed(d, 8, 10, 50, 20, 70, 33)).isEmpty();
    assertThat(d.pattern()).isEqualTo(Pattern.NONE);
    assertThat(feed(d, 8, 10)).isEmpty(); // seen, but the page before it differs (33, not the start)
    assertThat(feed(d, 8, 50)).containsExactly(20, 70, 33, 10);
    assertThat(d.pattern()).isEqualTo(Pattern.TEMPORAL);
    assertThat(feed(d, 2, 20)).containsExactly(70, 33);
  }

  @Test
  void randomAccessPredictsNothingAndRepeatsAreIgnored() {
    AccessPatternDetector d = new AccessPatternDetector();
    assertThat(feed(d, 8, 7, 91, 3, 55, 18, 64, 2)).isEmpty();
    assertThat(d.pattern()).isEqualTo(Pattern.NONE);
    AccessPatternDetector r = new AccessPatternDetector();
    assertThat(feed(r, 2, 1, 2, 2, 2, 3)).containsExactly(4, 5);
  }

  @Test
  void depthFollowsReadLatencyWithinBounds() {
    PrefetchDepth d = new PrefetchDepth();
    assertThat(d.get()).isEqualTo(PrefetchDepth.INITIAL);
    d.adjust(10_000);
    assertThat(d.get()).isEqualTo(PrefetchDepth.INITIAL + 2);
    d.adjust(200_000); // between the thresholds: unchanged
    assertThat(d.get()).isEqualTo(PrefetchDepth.INITIAL + 2);
    for (int i = 0; i < 50; i++) d.adjust(1_000);
    assertThat(d.get()).isEqualTo(32);
    d.adjust(600_000);
    assertThat(d.get()).isEqualTo(30);
    for (int i = 0; i < 50; i++) d.adjust(5_000_000);
    assertThat(d.get()).isEqualTo(2);
  }

  static final int FILE = 2;

  private static BufferPool pool(InMemoryPageFileStore store, int frames, Executor executor) {
    return new BufferPool(store, BufferPoolOptions.builder().frames(frames).replacer(LruReplacer::new)
        .prefetch(true).prefetchExecutor(executor).build());
  }

  @Test
  void aSequentialScanIsPrefetchedAndHitsThePrefetchedPages() {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, 200);
    try (BufferPool pool = pool(store, 64, Runnable::run)) { // synchronous prefetch: deterministic
      for (int i = 0; i < 200; i++) {
        try (ReadGuard g = pool.read(PageId.of(FILE, i))) {
          assertThat(g.getLong(64)).isZero();
        }
      }
      BufferPoolStats s = pool.stats();
      assertThat(s.missCount()).as("only the first pages miss").isEqualTo(3);
      assertThat(s.prefetches()).isEqualTo(197);
      assertThat(s.prefetchHits()).isEqualTo(197);
      assertThat(s.hitCount()).isEqualTo(197);
      assertThat(store.reads()).isEqualTo(200);
      assertThat(pool.prefetchDepth()).isBetween(PrefetchDepth.MIN, PrefetchDepth.MAX); // timing-dependent value
    }
  }

  @Test
  void aPrefetchedPageIsMarkedUntilItsFirstUseAndOrdinaryAfterwards() {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, 40);
    try (BufferPool pool = pool(store, 64, Runnable::run)) {
      for (int i = 0; i < 4; i++) pool.read(PageId.of(FILE, i)).close(); // a scan: pages ahead get prefetched
      long ahead = PageId.of(FILE, 5);
      OptimisticGuard peek = pool.optimisticRead(ahead); // the first use, through the optimistic hit path
      Frame f = peek.frame;
      assertThat(pool.stats().prefetchHits()).isEqualTo(2); // pages 3 and 5
      // The first use took the rare path: the unused mark (a negative tick) is gone, the admission tick is back.
      assertThat(f.prefetched).isFalse();
      assertThat(f.lastOffered).isBetween(1L, 40L);
      try (ReadGuard g = pool.read(ahead)) {
        assertThat(g.frame).isSameAs(f);
      }
      assertThat(pool.stats().prefetchHits()).as("only the first use counts").isEqualTo(2);
      long unused = PageId.of(FILE, 6);
      assertThat(pool.stats().prefetches()).isGreaterThan(3);
      // A page still unused carries the mark, so that its first hit cannot take the plain hit path.
      try (ReadGuard g = pool.read(unused)) {
        assertThat(pool.stats().prefetchHits()).isEqualTo(3);
        assertThat(g.frame.lastOffered).isPositive();
      }
    }
  }

  @Test
  void prefetchedPagesEvictedUnusedCountAsMisses() {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, 200);
    try (BufferPool pool = pool(store, 8, Runnable::run)) {
      for (int i = 0; i < 3; i++) pool.read(PageId.of(FILE, i)).close(); // predicts 3.. (depth 8)
      for (int i = 100; i < 120; i += 2) pool.read(PageId.of(FILE, 150 - i)).close(); // unrelated pages push them out
      BufferPoolStats s = pool.stats();
      assertThat(s.prefetches()).isGreaterThan(0);
      assertThat(s.prefetchMisses()).isGreaterThan(0);
      assertThat(s.prefetchHits() + s.prefetchMisses()).isLessThanOrEqualTo(s.prefetches());
    }
  }

  @Test
  void prefetchesNeverEvictDirtyPages() {
    boolean[] inPrefetch = new boolean[1];
    int[] writesByPrefetch = new int[1];
    InMemoryPageFileStore store = new InMemoryPageFileStore() {
      @Override
      public void writePage(long pageId, java.lang.foreign.MemorySegment src) {
        if (inPrefetch[0]) writesByPrefetch[0]++;
        super.writePage(pageId, src);
      }
    };
    store.createFile(FILE, 64);
    Executor marking = r -> { // synchronous, and marks what runs as prefetch work
      inPrefetch[0] = true;
      try {
        r.run();
      } finally {
        inPrefetch[0] = false;
      }
    };
    try (BufferPool pool = pool(store, 8, marking)) {
      // Sequential writes then sequential reads over a pool full of dirty pages: the prefetcher predicts
      // pages all along, and demand misses must evict dirty pages (and write them), but prefetches never do.
      for (int i = 0; i < 12; i++) {
        try (WriteGuard g = pool.write(PageId.of(FILE, i))) {
          g.setLong(64, i + 1);
        }
      }
      for (int i = 20; i < 30; i++) pool.read(PageId.of(FILE, i)).close();
      BufferPoolStats s = pool.stats();
      assertThat(s.prefetches()).isGreaterThan(0);
      assertThat(store.writes()).as("demand misses did write dirty victims").isGreaterThan(0);
      assertThat(writesByPrefetch[0]).as("writes made by prefetch loads").isZero();
    }
  }

  @Test
  void predictionsPastTheEndOfTheFileFailQuietly() {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, 6);
    try (BufferPool pool = pool(store, 16, Runnable::run)) {
      for (int i = 0; i < 6; i++) pool.read(PageId.of(FILE, i)).close(); // predicts pages 6.. (none exist)
      BufferPoolStats s = pool.stats();
      assertThat(s.missCount() + s.hitCount()).isEqualTo(6);
      assertThat(s.usedFrames()).isEqualTo(6); // failed prefetches gave their frames back
      assertThat(s.pinnedFrames()).isZero();
    }
  }

  @Test
  void theOwnExecutorPrefetchesInTheBackground() {
    ConcurrentLinkedQueue<String> threadNames = new ConcurrentLinkedQueue<>();
    InMemoryPageFileStore watching = new InMemoryPageFileStore() {
      @Override
      protected void beforeRead(long pageId) {
        threadNames.add(Thread.currentThread().getName());
      }
    };
    watching.createFile(FILE, 64);
    try (BufferPool pool = new BufferPool(watching, BufferPoolOptions.builder().frames(32)
        .replacer(LruReplacer::new).prefetch(true).build())) {
      for (int i = 0; i < 3; i++) pool.read(PageId.of(FILE, i)).close();
      for (int i = 0; i < 5_000_000 && pool.stats().prefetches() == 0; i++) Thread.yield();
      assertThat(pool.stats().prefetches()).isGreaterThan(0);
      assertThat(threadNames).anyMatch(n -> n.startsWith("rustydb-prefetch-"));
    }
  }
}
