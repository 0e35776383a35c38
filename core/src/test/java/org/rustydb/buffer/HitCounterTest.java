package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The hit counter is exact: owned stripes, shared stripes (the LongAdder path), both at once, and taken-over stripes. */
class HitCounterTest {

  @Test
  void countsOneThreadExactly() {
    HitCounter c = new HitCounter(8);
    assertThat(c.sum()).isZero();
    for (int i = 0; i < 12_345; i++) c.increment();
    assertThat(c.sum()).isEqualTo(12_345);
  }

  @Test
  void threadsThatShareAStripeLoseNothing() throws Exception {
    // One stripe: the first thread to add owns it, every other thread takes the LongAdder path.
    assertThat(countWith(new HitCounter(1), 4, 200_000)).isEqualTo(4 * 200_000L);
  }

  @Test
  void manyThreadsOnManyStripesLoseNothing() throws Exception {
    // More threads than stripes, so that some own a stripe and some collide, while all add at once.
    assertThat(countWith(new HitCounter(4), 12, 50_000)).isEqualTo(12 * 50_000L);
  }

  @Test
  void aStripeWhoseOwnerEndedIsTakenOverWithItsCount() throws Exception {
    HitCounter c = new HitCounter(2);
    Thread first = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < 1000; i++) c.increment();
    });
    first.join();
    // A later thread on the same stripe takes it over (no LongAdder adds) and keeps the ended owner's count.
    Thread second = sameStripe(c, first, () -> {
      for (int i = 0; i < 500; i++) c.increment();
    });
    second.start();
    second.join();
    assertThat(c.sum()).isEqualTo(1500);
    assertThat(c.sharedCount()).isZero();
  }

  @Test
  void aLiveOwnersStripeIsNotTakenOver() throws Exception {
    HitCounter c = new HitCounter(2);
    CountDownLatch owned = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread first = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < 1000; i++) c.increment();
      owned.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      for (int i = 0; i < 1000; i++) c.increment();
    });
    owned.await();
    Thread second = sameStripe(c, first, () -> {
      for (int i = 0; i < 500; i++) c.increment();
    });
    second.start();
    second.join();
    assertThat(c.sharedCount()).isEqualTo(500); // the owner is alive: the other thread takes the shared path
    release.countDown();
    first.join();
    assertThat(c.sum()).isEqualTo(2500);
  }

  /** An unstarted thread running {@code body} whose id maps to the same stripe as {@code owner}'s. */
  private static Thread sameStripe(HitCounter c, Thread owner, Runnable body) {
    for (int tries = 0; tries < 256; tries++) {
      Thread t = Thread.ofPlatform().unstarted(body);
      if (c.stripeOf(t.threadId()) == c.stripeOf(owner.threadId())) return t;
    }
    throw new AssertionError("no thread on the same stripe within 256 tries");
  }

  private static long countWith(HitCounter c, int threads, int each) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        for (int i = 0; i < each; i++) c.increment();
      }));
    }
    start.countDown();
    for (Thread t : ts) t.join();
    return c.sum();
  }
}
