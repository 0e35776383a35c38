package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.rustydb.disk.PageId;
import org.rustydb.testing.Seeds;

/**
 * Writers, the flusher and checkpoints at once, on more pages than frames (so eviction write-backs race the
 * flusher's in-flight copies), against a model. A write guard reads a page's counter (every word from offset
 * 32 holds it), increments it and writes it back; the model counts increments per page. Any lost update — an
 * older copy landing after a newer image, a frame marked clean though modified after its snapshot — makes a
 * later read see a smaller counter and the final count fall short. Reads check that all words agree. At the
 * end the pool is closed (final flush) and the store must hold exactly the model. Seed: -Dflush.seed=N.
 */
class FlusherStressTest {

  static final int FILE = 2;
  static final int PAGES = 64;
  static final int FRAMES = 16;
  static final int WRITERS = 3;
  static final int OPS = 20_000;

  @Test
  void writersFlusherAndCheckpointsLoseNoUpdate() throws Exception {
    long seed = Seeds.of("FlusherStressTest", "flush.seed");
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, PAGES);
    AtomicLongArray model = new AtomicLongArray(PAGES);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    FlusherOptions flush = FlusherOptions.builder().dirtyRatioThreshold(0)
        .idleDirtyRatioThreshold(0).maxBatch(8).combineDistance(3).build();
    BufferPool pool = new BufferPool(store, BufferPoolOptions.builder().frames(FRAMES).replacer(LruReplacer::new)
        .prefetch(false).flusher(flush).build());
    DirtyPageFlusher flusher = DirtyPageFlusher.manual(pool, flush);
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < WRITERS; t++) {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      writers.add(Thread.ofPlatform().name("writer-" + t).start(() -> {
        try {
          start.await();
          for (int i = 0; i < OPS && failures.isEmpty(); i++) {
            int no = rnd.nextInt(PAGES);
            long id = PageId.of(FILE, no);
            if (rnd.nextInt(3) == 0) {
              try (ReadGuard g = pool.read(id)) {
                long v = g.getLong(32);
                for (int off = 40; off < 4096; off += 8 * 61) {
                  if (g.getLong(off) != v) failures.add("torn page " + no + " at " + off);
                }
                if (v > model.get(no)) failures.add("page " + no + " ahead of the model: " + v);
              }
            } else {
              try (WriteGuard g = pool.write(id)) {
                long v = g.getLong(32) + 1;
                for (int off = 32; off < 4096; off += 8) g.setLong(off, v);
                g.setLong(8, v); // page LSN: anything monotonic
                model.incrementAndGet(no);
              }
            }
          }
        } catch (Throwable e) {
          failures.add(Thread.currentThread().getName() + ": " + e);
        }
      }));
    }
    Thread flushing = Thread.ofPlatform().name("flusher").start(() -> {
      try {
        start.await();
        while (!done.get() && failures.isEmpty()) flusher.runRound();
      } catch (Throwable e) {
        failures.add("flusher: " + e);
      }
    });
    Thread checkpoints = Thread.ofPlatform().name("checkpoints").start(() -> {
      try {
        start.await();
        while (!done.get() && failures.isEmpty()) {
          pool.flushAll();
          Thread.yield();
        }
      } catch (Throwable e) {
        failures.add("checkpoint: " + e);
      }
    });
    start.countDown();
    for (Thread w : writers) w.join();
    done.set(true);
    flushing.join();
    checkpoints.join();
    assertThat(failures).isEmpty();
    assertThat(flusher.stats().pagesWritten()).isPositive();
    flusher.close();
    for (int no = 0; no < PAGES; no++) {
      try (ReadGuard g = pool.read(PageId.of(FILE, no))) {
        assertThat(g.getLong(32)).as("page %d in the pool", no).isEqualTo(model.get(no));
      }
    }
    pool.close();
    for (int no = 0; no < PAGES; no++) {
      long stored = ByteBuffer.wrap(store.stored(PageId.of(FILE, no))).order(ByteOrder.LITTLE_ENDIAN).getLong(32);
      assertThat(stored).as("page %d on the store", no).isEqualTo(model.get(no));
    }
  }
}
