package org.rustydb.bench.cachesim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.rustydb.buffer.Replacer;
import org.rustydb.buffer.ReplacerRegistry;

/**
 * Replays page-reference traces through the buffer pool's own {@link Replacer} classes (created by
 * {@link ReplacerRegistry}, not copies) and counts hits. A reference to a resident page is a hit; any
 * other reference, including the first to each page (a cold miss), is a miss and admits the page. Every
 * page may be evicted (nothing is pinned in a simulation).
 */
public final class CacheSimulator {

  private static final LongPredicate ANY_PAGE = page -> true;

  private CacheSimulator() {}

  /** One row of results. */
  public record Result(String trace, String policy, int size, long accesses, long hits) {
    /** Hits as a percentage of all accesses. */
    public double hitRate() {
      return accesses == 0 ? 0.0 : 100.0 * hits / accesses;
    }
  }

  /** The hits of {@code policy} on {@code pages}. */
  public static long hits(Replacer policy, long[] pages) {
    long hits = 0;
    for (long page : pages) {
      if (policy.contains(page)) {
        policy.recordHit(page);
        hits++;
      } else {
        policy.admit(page, ANY_PAGE);
      }
    }
    return hits;
  }

  /** Replays {@code trace} with the named policy at {@code size} pages. */
  public static Result run(TraceFile trace, String policy, int size) {
    Replacer replacer = ReplacerRegistry.create(policy, size, trace.pages());
    return new Result(trace.name(), policy, size, trace.pages().length, hits(replacer, trace.pages()));
  }

  /** Every combination, in trace, policy, size order. */
  public static List<Result> runAll(List<TraceFile> traces, List<String> policies, List<Integer> sizes) {
    List<Result> out = new ArrayList<>();
    for (TraceFile t : traces) {
      for (String p : policies) {
        for (int s : sizes) out.add(run(t, p, s));
      }
    }
    return out;
  }
}
