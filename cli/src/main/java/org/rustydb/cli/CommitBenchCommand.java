package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rustydb.bench.wal.CommitBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rustydb bench commit}: SYNC commits per second and latency at several thread counts, each commit
 * a small COMMIT record appended and group-committed (one fdatasync shared by concurrent committers).
 */
@Command(
    name = "commit",
    mixinStandardHelpOptions = true,
    description = "Measure SYNC commits/s and latency of the WAL at several thread counts.")
public final class CommitBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "scratch directory on the disk to measure")
  Path dir;

  @Option(names = "--threads", split = ",", paramLabel = "N[,N...]", description = "thread counts (default 1,8,32,128)")
  List<Integer> threads = List.of(1, 8, 32, 128);

  @Option(names = "--seconds", paramLabel = "S", description = "measured seconds per thread count (default 5)")
  double seconds = 5;

  @Option(names = "--format", paramLabel = "table|csv", description = "output format (default table)")
  String format = "table";

  @Option(names = "--wal-io", paramLabel = "nio|engine",
      description = "how segments are written: nio (FileChannel from the committing thread, default) or engine"
          + " (the I/O engine's CRITICAL lane, as DatabaseOptions.walFiles(EngineWalFile.DATABASE_ENGINE))")
  String walIo = "nio";

  @Override
  public Integer call() throws Exception {
    if (!format.equals("table") && !format.equals("csv")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format must be table or csv: " + format);
    }
    if (seconds <= 0 || threads.stream().anyMatch(t -> t < 1 || t > 4096)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be > 0 and thread counts 1..4096");
    }
    CommitBench.WalIo io = switch (walIo) {
      case "nio" -> CommitBench.WalIo.NIO;
      case "engine" -> CommitBench.WalIo.ENGINE;
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "--wal-io must be nio or engine: " + walIo);
    };
    boolean csv = format.equals("csv");
    PrintWriter out = spec.commandLine().getOut();
    out.println(csv ? "threads,commits_per_s,p50_us,p99_us"
        : String.format("%7s %14s %10s %10s %8s %14s", "threads", "commits/s", "p50 us", "p99 us", "fsyncs", "commits/fsync"));
    out.flush();
    for (int t : threads) {
      CommitBench.Result r = CommitBench.run(dir, t, seconds, io);
      out.println(csv
          ? String.format("%d,%.0f,%.0f,%.0f", t, r.commitsPerSecond(), r.p50Micros(), r.p99Micros())
          : String.format("%7d %14.0f %10.0f %10.0f %8d %14.1f", t, r.commitsPerSecond(), r.p50Micros(),
              r.p99Micros(), r.stats().fsyncs(), r.stats().commitsPerFsync()));
      out.flush();
    }
    return RustyDbCommand.EXIT_OK;
  }
}
