package org.rustydb.bench.cachesim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Deterministic synthetic page-reference traces for patterns the LIRS traces lack: Zipf-skewed page
 * popularity (as in OLTP index and data pages), a working set that shifts, and an OLTP-like skew
 * interrupted by full table scans larger than the cache. Used by tests and, through {@link #main},
 * written as gzip trace files for {@code rustydb cachesim}.
 */
public final class SyntheticTraces {

  private SyntheticTraces() {}

  /**
   * {@code n} references to {@code pages} pages with Zipf({@code s}) popularity; page ranks are
   * scattered over the id space (a multiplicative permutation) so popularity is not id order.
   */
  public static long[] zipf(int n, int pages, double s, long seed) {
    double[] cdf = new double[pages];
    double sum = 0;
    for (int i = 0; i < pages; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      int k = Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
      if (k < 0) k = -k - 1;
      t[i] = (k * 2_654_435_761L) % 1_000_003;
    }
    return t;
  }

  /** Four phases of 75k references, each Zipf(0.9) over its own 5,000 pages. */
  public static long[] shifting() {
    long[] z = zipf(300_000, 5_000, 0.9, 3);
    long[] t = new long[z.length];
    for (int i = 0; i < t.length; i++) t[i] = z[i] + (i / 75_000) * 2_000_000L;
    return t;
  }

  /** Zipf(0.9) over 20,000 pages, and every 55k references a scan of the same 5,000-page table. */
  public static long[] oltpWithScans() {
    long[] z = zipf(300_000, 20_000, 0.9, 4);
    long[] t = new long[330_000];
    int j = 0;
    int zi = 0;
    while (j < t.length) {
      if (j % 55_000 == 50_000) {
        for (int k = 0; k < 5_000 && j < t.length; k++) t[j++] = 5_000_000L + k;
      } else {
        t[j++] = z[zi++ % z.length];
      }
    }
    return t;
  }

  /** The named traces, in a stable order. */
  public static Map<String, long[]> all() {
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("syn-zipf0.8", zipf(300_000, 20_000, 0.8, 1));
    m.put("syn-zipf1.1", zipf(300_000, 20_000, 1.1, 2));
    m.put("syn-shifting", shifting());
    m.put("syn-oltp-scans", oltpWithScans());
    return m;
  }

  /** Writes every trace as {@code DIR/NAME.trace.gz}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) throw new IllegalArgumentException("usage: SyntheticTraces DIR");
    Path dir = Files.createDirectories(Path.of(args[0]));
    for (Map.Entry<String, long[]> e : all().entrySet()) {
      Path f = dir.resolve(e.getKey() + ".trace.gz");
      try (Writer w = new BufferedWriter(new OutputStreamWriter(
          new GZIPOutputStream(Files.newOutputStream(f)), StandardCharsets.US_ASCII))) {
        for (long p : e.getValue()) {
          w.write(Long.toString(p));
          w.write('\n');
        }
      }
      System.out.println(f);
    }
  }
}
