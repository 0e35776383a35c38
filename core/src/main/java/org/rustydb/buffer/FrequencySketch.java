package org.rustydb.buffer;

/**
 * A count-min sketch of 4-bit counters estimating how often each page was referenced recently, as in
 * G. Einziger, R. Friedman and B. Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", ACM
 * Transactions on Storage 13(4), 2017 (and Caffeine's {@code FrequencySketch}).
 *
 * <p>Four counters per page, one in each of four rows picked by independent hashes; the estimate is the
 * least of them (collisions only ever overestimate). Counters saturate at 15: TinyLFU only compares
 * frequencies, and small counters keep the sketch at 8 bytes per cached page. <em>Aging</em>: after
 * {@code sampleSize} increments every counter is halved, so the sketch follows a shifting working set
 * and old popularity fades.
 */
final class FrequencySketch {

  private static final long[] SEEDS = {
    0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L, 0xD6E8FEB86659FD93L
  };

  private final byte[] counters;
  private final int rowMask;
  private final int rowLength;
  private final int sampleSize;
  private int additions;

  /** A sketch sized for a cache of {@code capacity} pages, aging every {@code 10 x capacity} increments. */
  FrequencySketch(int capacity) {
    // Each row has at least 2c counters (a power of two), so a cache's worth of pages fills under 40%
    // of a row and an unseen page collides in all four rows about 2% of the time.
    rowLength = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) << 1;
    rowMask = rowLength - 1;
    counters = new byte[4 * rowLength];
    sampleSize = 10 * Math.max(16, capacity);
  }

  /** The estimated recent reference count of {@code pageId}, 0..15. */
  int frequency(long pageId) {
    int min = 15;
    for (int row = 0; row < 4; row++) {
      min = Math.min(min, counters[index(pageId, row)]);
    }
    return min;
  }

  /** Counts one reference to {@code pageId}. */
  void increment(long pageId) {
    // Conservative update: raise only the counters at the current minimum, which cuts overestimation.
    int min = frequency(pageId);
    if (min == 15) return;
    for (int row = 0; row < 4; row++) {
      int i = index(pageId, row);
      if (counters[i] == min) counters[i]++;
    }
    if (++additions >= sampleSize) age();
  }

  private void age() {
    for (int i = 0; i < counters.length; i++) counters[i] >>= 1;
    additions /= 2;
  }

  private int index(long pageId, int row) {
    // MurmurHash3's finalizer over the id salted per row: four independent-looking positions.
    long h = pageId ^ SEEDS[row];
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return row * rowLength + ((int) h & rowMask);
  }
}
