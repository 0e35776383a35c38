package org.rustydb.stats;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A lock-free latency histogram with log-linear buckets, for recording on I/O and commit paths where a
 * lock (or an allocation) per sample would cost more than what is measured. Core is JDK-only, so this is
 * a small cousin of HdrHistogram: each power of two is split into {@value #SUB_BUCKETS} linear
 * sub-buckets, so a reported percentile is within 1/{@value #SUB_BUCKETS} (about 3%) of the true value,
 * for values from 0 to {@code Long.MAX_VALUE}.
 *
 * <pre>
 *   value v < 32:           bucket v                                  (exact)
 *   value v >= 32, e = floor(log2 v):
 *                           bucket (e - 4) * 32 + (v >>> (e - 5)) - 32  (32 buckets per power of two)
 * </pre>
 *
 * <p>{@link #record(long)} is one {@code AtomicLongArray} increment plus a max update: wait-free for
 * practical purposes. Reads ({@link #valueAtPercentile}) scan the buckets without stopping writers, so a
 * snapshot taken while recording may be off by the samples recorded during the scan, never torn.
 */
public final class LatencyHistogram {

  static final int SUB_BITS = 5;
  static final int SUB_BUCKETS = 1 << SUB_BITS;
  /** Groups: one exact group for 0..31, then one per exponent 5..62. */
  static final int BUCKETS = (63 - SUB_BITS + 1) * SUB_BUCKETS;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final LongAccumulator max = new LongAccumulator(Math::max, 0);

  /** Records one sample; negative values count as 0. */
  public void record(long value) {
    long v = Math.max(0, value);
    counts.incrementAndGet(bucketOf(v));
    max.accumulate(v);
  }

  /** The number of samples recorded. */
  public long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) n += counts.get(i);
    return n;
  }

  /** The largest sample recorded, or 0. */
  public long max() {
    return max.get();
  }

  /**
   * The value at or below which {@code percentile} percent of the samples fall (the highest value of the
   * bucket holding that rank, capped at the largest sample); 0 when empty.
   */
  public long valueAtPercentile(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in 0..100: " + percentile);
    }
    long[] snapshot = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    if (total == 0) return 0;
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank) return Math.min(highestInBucket(i), max.get());
    }
    return max.get();
  }

  /** Forgets every sample (not atomic with concurrent recording: samples during reset may survive). */
  public void reset() {
    for (int i = 0; i < BUCKETS; i++) counts.set(i, 0);
    max.reset();
  }

  static int bucketOf(long v) {
    if (v < SUB_BUCKETS) return (int) v;
    int e = 63 - Long.numberOfLeadingZeros(v);
    int mantissa = (int) (v >>> (e - SUB_BITS));
    return (e - SUB_BITS + 1) * SUB_BUCKETS + mantissa - SUB_BUCKETS;
  }

  static long lowestInBucket(int bucket) {
    if (bucket < SUB_BUCKETS) return bucket;
    int group = bucket / SUB_BUCKETS;
    int e = group + SUB_BITS - 1;
    long mantissa = SUB_BUCKETS + (bucket % SUB_BUCKETS);
    return mantissa << (e - SUB_BITS);
  }

  static long highestInBucket(int bucket) {
    if (bucket < SUB_BUCKETS) return bucket;
    int e = bucket / SUB_BUCKETS + SUB_BITS - 1;
    long width = 1L << (e - SUB_BITS);
    long low = lowestInBucket(bucket);
    return low + (width - 1) < low ? Long.MAX_VALUE : low + width - 1;
  }
}
