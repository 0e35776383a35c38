package org.rustydb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rustydb inspect control|page|wal ...}: shows on-disk structures field by field. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show an on-disk structure field by field: the control file, a page, the WAL (read-only).",
    subcommands = {InspectControlCommand.class, InspectPageCommand.class, InspectWalCommand.class})
public final class InspectCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to inspect: control, page or wal");
  }
}
