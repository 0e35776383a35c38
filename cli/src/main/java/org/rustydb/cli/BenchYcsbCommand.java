package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rustydb.bench.ycsb.ThroughputPlot;
import org.rustydb.bench.ycsb.YcsbChild;
import org.rustydb.bench.ycsb.YcsbConfig;
import org.rustydb.bench.ycsb.YcsbDurability;
import org.rustydb.bench.ycsb.YcsbEngine;
import org.rustydb.bench.ycsb.YcsbResult;
import org.rustydb.bench.ycsb.YcsbRunner;
import org.rustydb.bench.ycsb.YcsbWorkloads;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rustydb bench ycsb}: YCSB's core workloads against the peer engines, one child JVM per engine and
 * workload (load phase, then run phase), one row per engine and workload.
 */
@Command(
    name = "ycsb",
    mixinStandardHelpOptions = true,
    description = {
      "Run YCSB core workloads (load, then run) on each engine, one after another, each in its own JVM and"
          + " fresh data directory; print throughput and latency (p50, p99 over all operations of the run phase).",
      "Durability classes: nosync = logged, no fsync per write; sync = fsync per write/commit."
    })
public final class BenchYcsbCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--engines", split = ",", paramLabel = "NAME", defaultValue = "rustydb,rocksdb,je,h2,lmdb,sqlite",
      description = "Engines, comma-separated: rustydb, rocksdb, je, h2, lmdb, sqlite. Default: ${DEFAULT-VALUE}.")
  List<String> engines;

  @Option(names = "--workloads", split = ",", paramLabel = "W", defaultValue = "a,b,c,d,e,f",
      description = "YCSB core workloads, comma-separated: a-f. Default: ${DEFAULT-VALUE}.")
  List<String> workloads;

  @Option(names = "--records", defaultValue = "10000", paramLabel = "N",
      description = "Records loaded before each run. Default: ${DEFAULT-VALUE}.")
  long records;

  @Option(names = "--operations", defaultValue = "10000", paramLabel = "M",
      description = "Measured operations in each run phase. Default: ${DEFAULT-VALUE}.")
  long operations;

  @Option(names = "--warmup-operations", defaultValue = "0", paramLabel = "W",
      description = "Unmeasured operations of the same workload before the measured ones, so that every engine's"
          + " JIT and cache reach steady state. Default: ${DEFAULT-VALUE}.")
  long warmup;

  @Option(names = "--threads", defaultValue = "1", paramLabel = "T", description = "Client threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--durability", defaultValue = "nosync", paramLabel = "nosync|sync",
      description = "Durability class of every engine. Default: ${DEFAULT-VALUE}.")
  String durability;

  @Option(names = "--cache-mb", defaultValue = "64", paramLabel = "MB",
      description = "Cache budget of every engine in MiB (LMDB uses the OS page cache). Default: ${DEFAULT-VALUE}.")
  int cacheMb;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where the per-run data directories go. Default: the system temporary directory.")
  Path dir;

  @Option(names = "--keep", description = "Keep the data directories after the runs.")
  boolean keep;

  @Option(names = "--field-length", paramLabel = "BYTES",
      description = "Bytes per field instead of the workload's 100 (10 fields per record), e.g. 90 for records"
          + " that fit a B+tree leaf inline (1,020 bytes with names and lengths).")
  Integer fieldLength;

  @Option(names = "--rustydb-page-cache", defaultValue = "direct", paramLabel = "direct|os",
      description = "RustyDB's page files: direct (O_DIRECT, the buffer pool is its only cache; default) or os"
          + " (through the OS page cache, as the peers' files are).")
  String rustydbPageCache;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv",
      description = "Output: table (default) or csv (engine,workload,threads,ops_per_s,p50_us,p99_us).")
  String format;

  @Option(names = "--plot", paramLabel = "PNG", description = "Also draw throughput per workload and engine into this PNG.")
  Path plot;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    List<YcsbEngine> es = new ArrayList<>();
    List<String> ws = new ArrayList<>();
    YcsbDurability d;
    YcsbConfig config;
    try {
      for (String e : engines) es.add(YcsbEngine.parse(e));
      for (String w : workloads) ws.add(YcsbWorkloads.parse(w));
      d = YcsbDurability.parse(durability);
      String fmt = format.toLowerCase(Locale.ROOT);
      if (!fmt.equals("table") && !fmt.equals("csv")) {
        throw new IllegalArgumentException("unknown format \"" + format + "\"; use table or csv");
      }
      YcsbConfig.Builder b = YcsbConfig.builder().engines(es).workloads(ws).records(records).operations(operations)
          .warmup(warmup).threads(threads).durability(d).cacheMb(cacheMb).keep(keep);
      if (dir != null) b.dir(dir);
      List<String> javaOptions = new ArrayList<>();
      if (fieldLength != null) {
        if (fieldLength < 1) throw new IllegalArgumentException("--field-length must be at least 1: " + fieldLength);
        javaOptions.add("-D" + YcsbChild.FIELD_LENGTH + "=" + fieldLength);
      }
      String pageCache = rustydbPageCache.toLowerCase(Locale.ROOT);
      if (!pageCache.equals("direct") && !pageCache.equals("os")) {
        throw new IllegalArgumentException("unknown --rustydb-page-cache \"" + rustydbPageCache + "\"; use direct or os");
      }
      if (pageCache.equals("os")) javaOptions.add("-D" + YcsbChild.RUSTYDB_PAGE_CACHE + "=os");
      b.javaOptions(javaOptions);
      config = b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    boolean csv = format.equalsIgnoreCase("csv");
    if (csv) out.println("engine,workload,threads,ops_per_s,p50_us,p99_us");
    else out.printf(Locale.ROOT, "%-8s  %-8s  %7s  %12s  %8s  %8s  %12s%n", "engine", "workload", "threads",
        "ops/s", "p50 us", "p99 us", "load ops/s");
    out.flush();
    List<YcsbResult> results = new YcsbRunner(config).run(new YcsbRunner.Listener() {
      @Override
      public void progress(YcsbEngine engine, String workload, String phase, long done, long total) {
        int pct = total == 0 ? 100 : (int) (done * 100 / total);
        err.printf(Locale.ROOT, "\r%-8s %s %-4s [%-20s] %3d%% %,d/%,d ", engine.cliName(), workload, phase,
            "=".repeat(pct / 5), pct, done, total);
        err.flush();
      }

      @Override
      public void result(YcsbResult r) {
        err.print("\r" + " ".repeat(70) + "\r");
        err.flush();
        if (csv) {
          out.printf(Locale.ROOT, "%s,%s,%d,%.1f,%d,%d%n", r.engine(), r.workload(), r.threads(), r.opsPerSec(),
              r.p50Micros(), r.p99Micros());
        } else {
          out.printf(Locale.ROOT, "%-8s  %-8s  %7d  %12.1f  %8d  %8d  %12.1f%n", r.engine(), r.workload(), r.threads(),
              r.opsPerSec(), r.p50Micros(), r.p99Micros(), r.loadOpsPerSec());
        }
        out.flush();
      }
    });
    if (plot != null) {
      String warm = warmup == 0 ? "" : String.format(Locale.ROOT, " (after %,d warm-up)", warmup);
      ThroughputPlot.write(results, plot, String.format(Locale.ROOT, "YCSB: %,d records, %,d operations%s, %d threads, %s",
          records, operations, warm, threads, d.cliName()));
      if (!csv) out.println("plot written to " + plot);
    }
    out.flush();
    return RustyDbCommand.EXIT_OK;
  }
}
