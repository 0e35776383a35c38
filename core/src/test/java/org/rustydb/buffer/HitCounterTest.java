package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The hit counter is exact: owned stripes, shared stripes (the LongAdder path) and both at once. */
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
  void aStripeStaysWithItsFirstThread() throws Exception {
    HitCounter c = new HitCounter(2);
    Thread first = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < 1000; i++) c.increment();
    });
    first.join();
    // A later thread mapping to the same stripe must not take over (or reset) the ended owner's count.
    long[] sameStripe = new long[1];
    CountDownLatch done = new CountDownLatch(1);
    Thread second = null;
    for (int tries = 0; tries < 64 && sameStripe[0] == 0; tries++) {
      Thread t = Thread.ofPlatform().unstarted(() -> {
        for (int i = 0; i < 500; i++) c.increment();
        done.countDown();
      });
      if (c.stripeOf(t.threadId()) == c.stripeOf(first.threadId())) {
        sameStripe[0] = t.threadId();
        second = t;
      }
    }
    assertThat(second).as("a thread on the same stripe within 64 tries").isNotNull();
    second.start();
    done.await();
    second.join();
    assertThat(c.sum()).isEqualTo(1500);
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
