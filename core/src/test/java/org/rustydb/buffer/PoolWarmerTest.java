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
  final List<long[]> hints = new ArrayList<>();
  final InMemoryPageFileStore store = new InMemoryPageFileStore() {
    @Override
    public void readAhead(long firstPageId, int count) {
      synchronized (hints) {
        hints.add(new long[] {firstPageId, count});
      }
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
  void theWarmerLoadsTheListInPageOrderWithOneHintPerRunAndStopsWhenFull() throws InterruptedException {
    newPool(16);
    long[] list = {page(40), page(3), page(1), page(2), page(41), page(20), page(0)}; // page 0: never a pool page
    PoolWarmer w = PoolWarmer.start(pool, store, list);
    assertThat(w.awaitFinished(60_000)).isTrue();
    assertThat(w.loaded()).isEqualTo(6);
    assertThat(w.skipped()).isEqualTo(1);
    assertThat(pool.residentPageIds()).containsExactly(page(1), page(2), page(3), page(20), page(40), page(41));
    assertThat(hints).extracting(h -> h[0]).containsExactly(page(1), page(40));
    assertThat(hints).extracting(h -> h[1]).containsExactly(3L, 2L);

    long[] many = new long[40];
    for (int i = 0; i < many.length; i++) many[i] = page(i + 10);
    PoolWarmer full = PoolWarmer.start(pool, store, many);
    assertThat(full.awaitFinished(60_000)).isTrue();
    assertThat(full.loaded()).as("16 frames, 6 in use").isEqualTo(10);
    assertThat(pool.stats().evictions()).isZero();
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
