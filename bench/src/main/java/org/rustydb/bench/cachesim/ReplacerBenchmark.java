package org.rustydb.bench.cachesim;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rustydb.buffer.Replacer;
import org.rustydb.buffer.ReplacerRegistry;

/**
 * Per-reference cost of each replacement policy: one invocation replays a fixed synthetic trace of
 * {@value #REFS} references (a skewed hot set, one-off pages and sequential runs: hits, misses, ghost
 * hits and evictions all occur; see {@link #syntheticTrace}) through a policy of {@code capacity} pages, so the score is ns per reference,
 * simulator loop included. OPT is left out: it needs a fresh instance per replay.
 *
 * <pre>java -cp ... org.openjdk.jmh.Main ReplacerBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplacerBenchmark {

  static final int REFS = 1 << 20;

  @Param({"lru", "clock", "arc", "earc", "lirs", "alirs", "dlirs", "wtinylfu"})
  public String policy;

  /** Cache size in pages; the trace's hot set is twice as large. 16384 is past dlirs's sampling threshold. */
  @Param({"4096", "16384"})
  public int capacity;

  private long[] trace;
  private Replacer replacer;

  @Setup(Level.Trial)
  public void setUp() {
    trace = syntheticTrace(REFS, 2 * capacity, 42);
    replacer = ReplacerRegistry.create(policy, capacity);
    CacheSimulator.hits(replacer, trace); // warm the cache state
  }

  /**
   * Events: 90% a page of a skewed hot set of {@code hotSet} pages, 8% a one-off page, 2% a sequential
   * run of 32 pages; so about 58% of references go to the hot set, 5% are one-offs and 37% are scans.
   */
  static long[] syntheticTrace(int n, int hotSet, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] t = new long[n];
    long fresh = 100_000_000;
    int i = 0;
    while (i < n) {
      int kind = rnd.nextInt(100);
      if (kind < 90) {
        double u = rnd.nextDouble();
        t[i++] = (long) (hotSet * u * u * u);
      } else if (kind < 98) {
        t[i++] = fresh++;
      } else {
        long start = 10_000_000 + rnd.nextInt(50_000);
        for (int k = 0; k < 32 && i < n; k++) t[i++] = start + k;
      }
    }
    return t;
  }

  @Benchmark
  @OperationsPerInvocation(REFS)
  public long replay() {
    return CacheSimulator.hits(replacer, trace);
  }
}
