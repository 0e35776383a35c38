package org.rustydb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rustydb bench X}: benchmark runners, one subcommand per subsystem. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run a benchmark next to its peer and print the figures.",
    subcommands = {
      JmhCommand.class,
      BenchAllocCommand.class,
      BenchPoolCommand.class,
      BenchFlushCommand.class,
      CommitBenchCommand.class,
      WalReplayBenchCommand.class,
      IoBenchCommand.class,
      RecoveryBenchCommand.class,
      BenchYcsbCommand.class
    })
public final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark: rustydb bench --help");
  }
}
