package org.rustydb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rustydb inspect X}: shows what is in a data directory's files, one subcommand per kind of file. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show what is stored in a data directory's files.",
    subcommands = {InspectWalCommand.class})
public final class InspectCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to inspect: rustydb inspect --help");
  }
}
