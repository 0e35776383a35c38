package org.rustydb.io;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.rustydb.stats.IoStats;
import org.rustydb.stats.LatencyHistogram;

/**
 * The live counters behind {@link IoStats}: {@code LongAdder}s and lock-free histograms, so recording on
 * the I/O path takes no lock. Engines record reads and writes; the buffer pool's prefetcher reports
 * prefetch hits and misses here, since only it knows whether a prefetched page was used.
 */
public final class IoMetrics {

  private final LongAdder reads = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder bytesRead = new LongAdder();
  private final LongAdder bytesWritten = new LongAdder();
  private final LongAdder sequentialReads = new LongAdder();
  private final LongAdder randomReads = new LongAdder();
  private final LongAdder prefetchHits = new LongAdder();
  private final LongAdder prefetchMisses = new LongAdder();
  private final LatencyHistogram readNanos = new LatencyHistogram();
  private final LatencyHistogram writeNanos = new LatencyHistogram();

  void recordRead(long bytes, long nanos, boolean sequential) {
    reads.increment();
    bytesRead.add(bytes);
    (sequential ? sequentialReads : randomReads).increment();
    readNanos.record(nanos);
  }

  void recordWrite(long bytes, long nanos) {
    writes.increment();
    bytesWritten.add(bytes);
    writeNanos.record(nanos);
  }

  /** A prefetched page was used before it was evicted. */
  public void recordPrefetchHit() {
    prefetchHits.increment();
  }

  /** A prefetched page was evicted without being used. */
  public void recordPrefetchMiss() {
    prefetchMisses.increment();
  }

  public IoStats snapshot() {
    return new IoStats(
        reads.sum(), writes.sum(), bytesRead.sum(), bytesWritten.sum(),
        micros(readNanos, 50), micros(readNanos, 99), micros(readNanos, 99.9),
        micros(writeNanos, 50), micros(writeNanos, 99), micros(writeNanos, 99.9),
        sequentialReads.sum(), randomReads.sum(), prefetchHits.sum(), prefetchMisses.sum());
  }

  private static long micros(LatencyHistogram h, double percentile) {
    return TimeUnit.NANOSECONDS.toMicros(h.valueAtPercentile(percentile));
  }
}
