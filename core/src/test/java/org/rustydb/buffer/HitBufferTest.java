package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HitBufferTest {

  @Test
  void drainDeliversWhatWasOfferedInOrderAndDropsWhenFull() {
    HitBuffer b = new HitBuffer(1);
    List<Long> got = new ArrayList<>();
    for (long p = 1; p <= 10; p++) assertThat(b.offer(p)).isFalse();
    b.drain(got::add);
    assertThat(got).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    got.clear();
    boolean askedToDrain = false;
    for (long p = 1; p <= HitBuffer.RING + 5; p++) askedToDrain |= b.offer(p);
    assertThat(askedToDrain).as("half full asks for a drain").isTrue();
    b.drain(got::add);
    assertThat(got).hasSize(HitBuffer.RING); // the rest was dropped
    assertThat(got.getFirst()).isEqualTo(1L);
    got.clear();
    b.drain(got::add);
    assertThat(got).isEmpty();
  }

  @Test
  void concurrentOffersNeverDeliverAnythingTwiceOrInvented() throws Exception {
    HitBuffer b = new HitBuffer(2);
    int threads = 3;
    int perThread = 200_000;
    ConcurrentHashMap<Long, Boolean> seen = new ConcurrentHashMap<>();
    AtomicLong delivered = new AtomicLong();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long base = (t + 1L) << 32;
      ts.add(Thread.ofPlatform().start(() -> {
        for (long i = 1; i <= perThread; i++) b.offer(base + i);
        done.countDown();
      }));
    }
    Object drainLock = new Object();
    while (done.getCount() > 0) {
      synchronized (drainLock) {
        b.drain(p -> {
          delivered.incrementAndGet();
          if (seen.put(p, Boolean.TRUE) != null) failures.add("delivered twice: " + p);
          long i = p & 0xFFFFFFFFL;
          if ((p >>> 32) < 1 || (p >>> 32) > threads || i < 1 || i > perThread) failures.add("invented: " + p);
        });
      }
    }
    for (Thread t : ts) t.join();
    b.drain(p -> {
      delivered.incrementAndGet();
      if (seen.put(p, Boolean.TRUE) != null) failures.add("delivered twice: " + p);
    });
    assertThat(failures).isEmpty();
    assertThat(delivered.get()).isPositive().isLessThanOrEqualTo((long) threads * perThread);
  }
}
