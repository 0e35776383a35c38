package org.rustydb.buffer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many pages ahead the prefetcher reads, adapted to measured read latency as the spec's
 * {@code AdaptivePrefetchEngine.adjust_depth}: a read under 50 us (fast SSD, page cache) deepens by 2, a read
 * over 500 us (slow disk) shallows by 2, within [2, 32]. Thread-safe (prefetch threads report concurrently).
 */
final class PrefetchDepth {

  static final int MIN = 2;
  static final int MAX = 32;
  static final int INITIAL = 8;
  static final long FAST_NANOS = 50_000;
  static final long SLOW_NANOS = 500_000;

  private final AtomicInteger depth = new AtomicInteger(INITIAL);

  int get() {
    return depth.get();
  }

  void adjust(long readNanos) {
    if (readNanos < FAST_NANOS) {
      depth.updateAndGet(d -> Math.min(MAX, d + 2));
    } else if (readNanos > SLOW_NANOS) {
      depth.updateAndGet(d -> Math.max(MIN, d - 2));
    }
  }
}
