package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.rustydb.buffer.LruReplacer;
import org.rustydb.bench.buffer.PoolBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rustydb bench pool}: buffer pool read throughput next to ConcurrentHashMap.get, and with a 4x working set. */
@Command(
    name = "pool",
    mixinStandardHelpOptions = true,
    description = "Buffer pool throughput. resident: read-guard and optimistic-read acquire+release on resident "
        + "pages, next to ConcurrentHashMap.get on the same page ids (chm-get). disk4x: page reads when the file "
        + "is 4x the pool (sequential and random, prefetcher off and on) over a real file (O_DIRECT where "
        + "supported).")
public final class BenchPoolCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "thread counts (default: ${DEFAULT-VALUE})")
  List<Integer> threads;

  @Option(names = "--suite", split = ",", defaultValue = "resident,disk4x",
      description = "suites to run: resident, disk4x (default: ${DEFAULT-VALUE})")
  List<String> suites;

  @Option(names = "--seconds", defaultValue = "1", description = "seconds per timed run (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--runs", defaultValue = "3", description = "timed runs per figure; the median is printed (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--dir", description = "directory for the disk4x file (default: a new temporary directory)")
  Path dir;

  @Option(names = "--hit-window", defaultValue = "-1",
      description = "the pool's hitWindow option: 0 hands every hit to the policy, -1 the default (frames/8)")
  int hitWindow;

  @Option(names = "--clock", defaultValue = "cpu",
      description = "resident suite: ops per second of thread CPU time (cpu, robust on a loaded machine) or of "
          + "wall-clock time (wall); disk4x always uses wall-clock time (default: ${DEFAULT-VALUE})")
  String clock;

  @Option(names = "--prefetch-threads", defaultValue = "4",
      description = "disk4x: the pool's prefetch threads (default: ${DEFAULT-VALUE})")
  int prefetchThreads;

  @Option(names = "--format", defaultValue = "table", description = "table or csv (default: ${DEFAULT-VALUE})")
  String format;

  @Override
  public void run() {
    if (!clock.equals("cpu") && !clock.equals("wall")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--clock must be cpu or wall: " + clock);
    }
    if (!format.equals("table") && !format.equals("csv")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format must be table or csv: " + format);
    }
    PoolBench.Options options;
    try {
      Path d = dir != null ? dir.resolve("rustydb-bench-pool") : Files.createTempDirectory("rustydb-bench-pool");
      options = new PoolBench.Options(threads, suites, seconds, runs, d, LruReplacer::new, hitWindow, clock.equals("cpu"), prefetchThreads);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean csv = format.equals("csv");
    if (csv) {
      out.println("benchmark,threads,ops_per_s");
    } else {
      out.printf(Locale.ROOT, "%-34s %7s %16s%n", "benchmark", "threads", "ops/s");
    }
    out.flush();
    PoolBench.run(options, row -> {
      if (csv) {
        out.printf(Locale.ROOT, "%s,%d,%.0f%n", row.benchmark(), row.threads(), row.opsPerSecond());
      } else {
        out.printf(Locale.ROOT, "%-34s %7d %,16.0f%n", row.benchmark(), row.threads(), row.opsPerSecond());
      }
      out.flush();
    });
  }
}
