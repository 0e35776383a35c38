package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.rustydb.bench.buffer.FileChannelPageStore;
import org.rustydb.bench.buffer.FlushBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rustydb bench flush}: checkpoint flush with write combining next to page-by-page writes. */
@Command(
    name = "flush",
    mixinStandardHelpOptions = true,
    description = "Checkpoint flush (BufferPool.flushAll + fsync) over the disk manager: the spec's write "
        + "combining (distance 10, batches of 64, one write per contiguous run) next to page-by-page writes, "
        + "for random, clustered and sequential dirty sets. Prints write calls, the share saved and MiB/s.")
public final class BenchFlushCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--file-pages", defaultValue = "16384", description = "pages in the data file (default: ${DEFAULT-VALUE})")
  int filePages;

  @Option(names = "--dirty", defaultValue = "2048", description = "dirty pages per flush (default: ${DEFAULT-VALUE})")
  int dirty;

  @Option(names = "--runs", defaultValue = "5", description = "flushes per figure; the median is printed (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--workload", split = ",", defaultValue = "random,clustered,sequential",
      description = "dirty sets: random, clustered, sequential (default: ${DEFAULT-VALUE})")
  List<String> workloads;

  @Option(names = "--dir", description = "directory for the data file (default: a new temporary directory)")
  Path dir;

  @Option(names = "--buffered", description = "write through the page cache instead of O_DIRECT (O_DIRECT is used "
      + "where the file system supports it)")
  boolean buffered;

  @Option(names = "--format", defaultValue = "table", description = "table or csv (default: ${DEFAULT-VALUE})")
  String format;

  @Override
  public void run() {
    if (!format.equals("table") && !format.equals("csv")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format must be table or csv: " + format);
    }
    FlushBench.Options options;
    try {
      Path base = dir != null ? dir : Files.createTempDirectory("rustydb-bench-flush");
      Files.createDirectories(base);
      boolean useDirect = !buffered && FileChannelPageStore.directSupported(base);
      options = new FlushBench.Options(base.resolve("data"), filePages, dirty, runs, useDirect, workloads);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean csv = format.equals("csv");
    if (csv) {
      out.println("workload,mode,pages,write_ops,saved_percent,mib_per_s,direct");
    } else {
      out.printf(Locale.ROOT, "%-11s %-9s %6s %9s %7s %9s  %s%n", "workload", "mode", "pages", "write ops", "saved",
          "MiB/s", "I/O");
    }
    for (FlushBench.Row r : FlushBench.run(options)) {
      if (csv) {
        out.printf(Locale.ROOT, "%s,%s,%d,%d,%.1f,%.1f,%s%n", r.workload(), r.mode(), r.pages(), r.writeOps(),
            r.savedPercent(), r.mibPerSecond(), r.direct() ? "direct" : "buffered");
      } else {
        out.printf(Locale.ROOT, "%-11s %-9s %6d %9d %6.1f%% %9.1f  %s%n", r.workload(), r.mode(), r.pages(),
            r.writeOps(), r.savedPercent(), r.mibPerSecond(), r.direct() ? "O_DIRECT" : "page cache");
      }
      out.flush();
    }
  }
}
