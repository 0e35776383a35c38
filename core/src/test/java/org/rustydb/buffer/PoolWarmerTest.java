package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rustydb.disk.PageId;

/** {@link BufferPool#warm}, {@link BufferPool#residentPageIds} and the {@link PoolWarmer} thread. */
class PoolWarmerTest {

  static final int FILE = 3;
  final List<long[]> runs = new ArrayList<>();
  final InMemoryPageFileStore store = new InMemoryPageFileStore() {
    @Override
    public void readPages(long firstPageId, int count, java.lang.foreign.MemorySegment dst) {
      synchronized (runs) {
        runs.add(new long[] {firstPageId, count});
      }
      super.readPages(firstPageId, count, dst);
    }
  };
  BufferPool pool;

  BufferPool newPool(int frames) {
    store.createFile(FILE, 64);
    pool = new BufferPool(store, BufferPoolOptions.builder().frames(frames).replacer(LruReplacer::new)
        .prefetch(false).backgroundFlush(false).build());
    return pool;
  }

  @AfterEach
  void tearDown() {
    if (pool != null) pool.close();
  }

  static long page(long no) {
    return PageId.of(FILE, no);
  }

  @Test
  void warmLoadsIntoFreeFramesOnlyAndNeverEvicts() {
    newPool(8);
    for (long p = 1; p <= 5; p++) pool.read(page(p)).close();
    assertThat(pool.warm(page(1))).as("resident: nothing to do").isTrue();
    assertThat(store.reads(page(1))).isEqualTo(1);
    assertThat(pool.warm(page(10))).isTrue();
    assertThat(pool.warm(page(11))).isTrue();
    assertThat(pool.warm(page(12))).isTrue();
    assertThat(pool.warmedPages()).isEqualTo(3);
    assertThat(pool.warm(page(13))).as("no free frame left").isFalse();
    assertThat(pool.stats().evictions()).isZero();
    assertThat(pool.residentPageIds()).containsExactly(page(1), page(2), page(3), page(4), page(5), page(10),
        page(11), page(12));
    long reads = store.reads();
    try (ReadGuard g = pool.read(page(11))) {
      assertThat(g.pageId()).isEqualTo(page(11));
    }
    assertThat(store.reads()).as("a warmed page is a hit").isEqualTo(reads);
  }

  @Test
  void warmOnAClosedPoolSaysStop() {
    newPool(8);
    pool.close();
    assertThat(pool.warm(page(1))).isFalse();
  }

  @Test
  void theWarmerLoadsTheListInPageOrderWithOneReadPerRunAndStopsWhenFull() throws InterruptedException {
    newPool(16);
    long[] list = {page(40), page(3), page(1), page(2), page(41), page(20), page(0)}; // page 0: never a pool page
    PoolWarmer w = PoolWarmer.start(pool, store, list);
    assertThat(w.awaitFinished(60_000)).isTrue();
    assertThat(w.loaded()).isEqualTo(6);
    assertThat(w.skipped()).isEqualTo(1);
    assertThat(pool.residentPageIds()).containsExactly(page(1), page(2), page(3), page(20), page(40), page(41));
    assertThat(runs).extracting(h -> h[0]).containsExactly(page(1), page(20), page(40));
    assertThat(runs).extracting(h -> h[1]).containsExactly(3L, 1L, 2L);

    long[] many = new long[40];
    for (int i = 0; i < many.length; i++) many[i] = page(i + 10);
    PoolWarmer full = PoolWarmer.start(pool, store, many);
    assertThat(full.awaitFinished(60_000)).isTrue();
    assertThat(full.loaded()).as("16 frames, 6 in use").isEqualTo(10);
    assertThat(pool.stats().evictions()).isZero();
  }

  /**
   * A run reads through short gaps (up to MAX_GAP unlisted pages) and stops at RUN_PAGES; only listed
   * pages are loaded.
   */
  @Test
  void runsReadThroughShortGapsButLoadOnlyListedPages() throws InterruptedException {
    newPool(3 + PoolWarmer.RUN_PAGES + 5);
    long[] list = {page(1), page(1 + PoolWarmer.MAX_GAP + 1), page(30)}; // 1 .. 10: one read; 30: a gap too long
    PoolWarmer w = PoolWarmer.start(pool, store, list);
    assertThat(w.awaitFinished(60_000)).isTrue();
    assertThat(runs).extracting(h -> h[0]).containsExactly(page(1), page(30));
    assertThat(runs).extracting(h -> h[1]).containsExactly(PoolWarmer.MAX_GAP + 2L, 1L);
    assertThat(pool.residentPageIds()).containsExactly(page(1), page(1 + PoolWarmer.MAX_GAP + 1), page(30));

    store.createFile(FILE + 1, PoolWarmer.RUN_PAGES + 10);
    runs.clear();
    long[] long_ = new long[PoolWarmer.RUN_PAGES + 5];
    for (int i = 0; i < long_.length; i++) long_[i] = PageId.of(FILE + 1, i + 1);
    PoolWarmer w2 = PoolWarmer.start(pool, store, long_);
    assertThat(w2.awaitFinished(60_000)).isTrue();
    assertThat(runs).extracting(h -> h[1]).containsExactly((long) PoolWarmer.RUN_PAGES, 5L);
    assertThat(w2.loaded()).isEqualTo(long_.length);
  }

  /**
   * Bytes read before a page left the pool may be older than what was written back when it left: the warm
   * then reads the page from the store instead of taking them.
   */
  @Test
  void aWarmCopyReadBeforeAnEvictionIsNotTrusted() {
    int other = FILE + 1;
    store.createFile(other, 8);
    newPool(3);
    try (WriteGuard g = pool.write(page(1))) {
      g.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 104, 42L);
    }
    var stale = java.lang.foreign.Arena.ofAuto().allocate(4096, 4096);
    store.readPage(page(1), stale); // the bytes on disk now: without the change
    long since = pool.pagesLeft();
    for (long p = 1; p <= 3; p++) pool.read(PageId.of(other, p)).close(); // the third evicts page 1, writing it back
    assertThat(pool.pagesLeft()).isGreaterThan(since);
    pool.dropFile(other); // free frames for the warm
    assertThat(pool.warm(page(1), stale, since)).isTrue();
    try (ReadGuard g = pool.read(page(1))) {
      assertThat(g.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG, 104)).as("the written-back change").isEqualTo(42L);
    }
    // With the count unmoved, the copy is what the frame gets: the store is not read again.
    var copy = java.lang.foreign.Arena.ofAuto().allocate(4096, 4096);
    store.readPage(page(5), copy);
    long reads = store.reads(page(5));
    assertThat(pool.warm(page(5), copy, pool.pagesLeft())).isTrue();
    assertThat(store.reads(page(5))).isEqualTo(reads);
    assertThat(pool.residentPageIds()).contains(page(5));
  }

  /** A run the store cannot read whole (a bad page in it) is loaded page by page: only the bad page is lost. */
  @Test
  void aRunThatCannotBeReadWholeIsLoadedPageByPage() throws InterruptedException {
    InMemoryPageFileStore failing = new InMemoryPageFileStore() {
      @Override
      public void readPages(long firstPageId, int count, java.lang.foreign.MemorySegment dst) {
        if (firstPageId <= page(5) && page(5) < firstPageId + count) {
          throw new org.rustydb.CorruptionException("page 5 of the test file: checksum mismatch");
        }
        super.readPages(firstPageId, count, dst);
      }
    };
    failing.createFile(FILE, 64);
    byte[] junk = new byte[4096];
    java.util.Arrays.fill(junk, (byte) 0x5A);
    failing.overwrite(page(5), junk);
    pool = new BufferPool(failing, BufferPoolOptions.builder().frames(16).replacer(LruReplacer::new)
        .prefetch(false).backgroundFlush(false).build());
    PoolWarmer w = PoolWarmer.start(pool, failing, new long[] {page(3), page(4), page(5), page(6), page(7)});
    assertThat(w.awaitFinished(60_000)).isTrue();
    assertThat(w.loaded()).isEqualTo(4);
    assertThat(w.skipped()).isEqualTo(1);
    assertThat(pool.residentPageIds()).containsExactly(page(3), page(4), page(6), page(7));
    assertThat(failing.reads(page(4))).as("read again on its own").isEqualTo(1);
  }

  @Test
  void aPageThatCannotBeReadIsSkippedAndTheRestLoaded() throws InterruptedException {
    newPool(16);
    byte[] junk = new byte[4096];
    java.util.Arrays.fill(junk, (byte) 0x5A);
    store.overwrite(page(5), junk); // fails its checksum
    PoolWarmer w = PoolWarmer.start(pool, store, new long[] {page(4), page(5), page(6)});
    assertThat(w.awaitFinished(60_000)).isTrue();
    assertThat(w.loaded()).isEqualTo(2);
    assertThat(w.skipped()).isEqualTo(1);
    assertThat(pool.residentPageIds()).containsExactly(page(4), page(6));
  }
}
