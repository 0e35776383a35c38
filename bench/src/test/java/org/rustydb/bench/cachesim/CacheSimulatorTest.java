package org.rustydb.bench.cachesim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rustydb.buffer.ReplacerRegistry;

/**
 * The simulator against figures from an independent simulator (the traces' README), and the default
 * policy against ARC and LRU. Hit counts are deterministic, so these are correctness tests of the
 * policies, not timing tests.
 */
class CacheSimulatorTest {

  private static String rate(String trace, String policy, int size) {
    return String.format(Locale.ROOT, "%.2f", CacheSimulator.run(Traces.load(trace), policy, size).hitRate());
  }

  @ParameterizedTest(name = "{0} at {1} pages: LRU {2}, ARC {3}, OPT {4}")
  @CsvSource({
    "lirs-ps, 250, 13.06, 16.80, 53.31",
    "lirs-ps, 500, 48.55, 52.59, 58.10",
    "lirs-gli, 1000, 11.21, 21.31, 53.13",
    "lirs-multi3, 1000, 37.70, 44.41, 56.28",
    "lirs-multi3, 2000, 44.59, 46.72, 68.78",
    "lirs-sprite, 200, 39.88, 42.78, 68.86",
    "lirs-loop, 1000, 0.00, 0.00, 98.71",
    "lirs-scan, 1000, 0.00, 0.00, 47.98",
  })
  void reproducesTheReferenceFigures(String trace, int size, String lru, String arc, String opt) {
    assertThat(rate(trace, "lru", size)).as("lru").isEqualTo(lru);
    assertThat(rate(trace, "arc", size)).as("arc").isEqualTo(arc);
    assertThat(rate(trace, "opt", size)).as("opt").isEqualTo(opt);
  }

  @ParameterizedTest(name = "default beats ARC and LRU on {0} at {1} pages")
  @CsvSource({
    "lirs-ps, 250", "lirs-ps, 500", "lirs-gli, 1000", "lirs-multi3, 1000", "lirs-multi3, 2000",
    "lirs-sprite, 200", "lirs-loop, 1000", "lirs-scan, 1000",
  })
  void defaultBeatsArcAndLruAtTheReferenceSizes(String trace, int size) {
    TraceFile t = Traces.load(trace);
    long def = CacheSimulator.run(t, ReplacerRegistry.DEFAULT, size).hits();
    long arc = CacheSimulator.run(t, "arc", size).hits();
    long lru = CacheSimulator.run(t, "lru", size).hits();
    long opt = CacheSimulator.run(t, "opt", size).hits();
    assertThat(def).as("default vs arc").isGreaterThan(arc);
    assertThat(def).as("default vs lru").isGreaterThan(lru);
    assertThat(def).as("no policy beats OPT").isLessThanOrEqualTo(opt);
  }

  /**
   * Every point of docs/benchmarks.md's hit-rate table but one: the default is at least as good as ARC.
   * The exception, {@code lirs-cpp} at 200 pages (84.20% against ARC's 84.97%), is the table's one known
   * loss (see docs/benchmarks.md); it is left out here rather than asserted, so that a fix shows up there.
   */
  @ParameterizedTest(name = "default at least as good as ARC on {0} at {1} pages")
  @CsvSource({
    "lirs-ps, 100", "lirs-ps, 250", "lirs-ps, 500", "lirs-cs, 100", "lirs-cs, 300", "lirs-cs, 500",
    "lirs-cpp, 50", "lirs-cpp, 100", "lirs-gli, 250", "lirs-gli, 500", "lirs-gli, 1000",
    "lirs-multi1, 500", "lirs-multi1, 1000", "lirs-multi1, 1500", "lirs-multi2, 500", "lirs-multi2, 1000",
    "lirs-multi2, 2000", "lirs-multi3, 500", "lirs-multi3, 1000", "lirs-multi3, 2000", "lirs-sprite, 100",
    "lirs-sprite, 200", "lirs-sprite, 500", "lirs-loop, 250", "lirs-loop, 500", "lirs-loop, 1000",
    "lirs-2_pools, 100", "lirs-2_pools, 450", "lirs-2_pools, 1000", "lirs-scan, 250", "lirs-scan, 500",
    "lirs-scan, 1000", "lirs-zigzag, 250", "lirs-zigzag, 500", "lirs-zigzag, 1000",
  })
  void defaultAtLeastArcAtEveryTablePoint(String trace, int size) {
    TraceFile t = Traces.load(trace);
    long def = CacheSimulator.run(t, ReplacerRegistry.DEFAULT, size).hits();
    assertThat(def).isGreaterThanOrEqualTo(CacheSimulator.run(t, "arc", size).hits());
  }

  /** Scan and loop resistance: the default keeps most of what OPT keeps where LRU and ARC get nothing. */
  @ParameterizedTest(name = "{0} at {1} pages: default within 2 points of OPT")
  @CsvSource({"lirs-loop, 250", "lirs-loop, 500", "lirs-loop, 1000", "lirs-scan, 500", "lirs-scan, 1000"})
  void defaultIsScanAndLoopResistant(String trace, int size) {
    TraceFile t = Traces.load(trace);
    double def = CacheSimulator.run(t, ReplacerRegistry.DEFAULT, size).hitRate();
    double opt = CacheSimulator.run(t, "opt", size).hitRate();
    assertThat(def).isGreaterThan(opt - 2.0);
  }

  @ParameterizedTest(name = "every policy stays at or below OPT on {0} at {1} pages")
  @CsvSource({"lirs-cpp, 100", "lirs-2_pools, 450", "lirs-zigzag, 500"})
  void nothingBeatsOpt(String trace, int size) {
    TraceFile t = Traces.load(trace);
    long opt = CacheSimulator.run(t, "opt", size).hits();
    for (String p : ReplacerRegistry.NAMES) {
      assertThat(CacheSimulator.run(t, p, size).hits()).as(p).isLessThanOrEqualTo(opt);
    }
  }

  /** Where recency is all there is (a sweep that turns round), the default keeps up with ARC and LRU. */
  @ParameterizedTest(name = "default at least as good as ARC on lirs-zigzag at {0} pages")
  @CsvSource({"250", "500", "1000"})
  void defaultFollowsRecencyWhenRecencyWins(int size) {
    TraceFile t = Traces.load("lirs-zigzag");
    long def = CacheSimulator.run(t, ReplacerRegistry.DEFAULT, size).hits();
    long arc = CacheSimulator.run(t, "arc", size).hits();
    long plainLirs = CacheSimulator.run(t, "lirs", size).hits();
    assertThat(def).isGreaterThanOrEqualTo(arc).isGreaterThan(10 * plainLirs);
  }

  /** Patterns the LIRS traces lack (Zipf skew, shifting working sets, OLTP with table scans). */
  @ParameterizedTest(name = "default beats ARC and LRU on {0} at {1} pages")
  @CsvSource({
    "syn-zipf0.8, 500", "syn-zipf0.8, 2000", "syn-zipf1.1, 500", "syn-zipf1.1, 2000",
    "syn-shifting, 500", "syn-shifting, 2000", "syn-oltp-scans, 500", "syn-oltp-scans, 2000",
  })
  void defaultBeatsArcOnSyntheticDatabasePatterns(String name, int size) {
    long[] t = SyntheticTraces.all().get(name);
    TraceFile trace = new TraceFile(name, t);
    long def = CacheSimulator.run(trace, ReplacerRegistry.DEFAULT, size).hits();
    assertThat(def).as("vs arc").isGreaterThan(CacheSimulator.run(trace, "arc", size).hits());
    assertThat(def).as("vs lru").isGreaterThan(CacheSimulator.run(trace, "lru", size).hits());
  }
}
