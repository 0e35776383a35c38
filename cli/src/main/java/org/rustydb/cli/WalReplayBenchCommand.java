package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.bench.wal.ReplayBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rustydb bench wal-replay}: how fast WalReader reads (checks and decodes) a log, in MB/s. */
@Command(
    name = "wal-replay",
    mixinStandardHelpOptions = true,
    description = "Write a log of about N MB, then read it back with WalReader and report MB/s.")
public final class WalReplayBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "scratch directory")
  Path dir;

  @Option(names = "--megabytes", paramLabel = "N", description = "log size in MB (default 300)")
  int megabytes = 300;

  @Option(names = "--rounds", paramLabel = "R", description = "read rounds; the median is reported (default 3)")
  int rounds = 3;

  @Override
  public Integer call() throws Exception {
    if (megabytes < 1 || rounds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--megabytes and --rounds must be >= 1");
    }
    ReplayBench.Result r = ReplayBench.run(dir, megabytes, rounds);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("wal_bytes=%d records=%d write_MB_per_s=%.0f read_MB_per_s=%.0f read_records_per_s=%.0f%n",
        r.bytes(), r.records(), r.writeMegabytesPerSecond(), r.readMegabytesPerSecond(), r.records() / r.readSeconds());
    out.flush();
    return RustyDbCommand.EXIT_OK;
  }
}
