package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.disk.ControlFile;
import org.rustydb.disk.DataDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb init DIR}: creates an empty data directory. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a new, empty data directory.",
      "Makes base/, wal/, archive/, temp/ and the control file (with its copy), owner-only permissions."
          + " DIR must not exist or be an empty folder."
    })
public final class InitCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory to create")
  Path dir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (DataDirectory d = DataDirectory.create(dir)) {
      ControlFile.Contents c = d.controlFile().read();
      out.printf("initialized data directory %s%n", d.root());
      out.printf("  system id %016x, state %s, page format v%d, WAL format v%d%n",
          c.systemId(), c.state(), c.pageFormatVersion(), c.walFormatVersion());
    }
    return RustyDbCommand.EXIT_OK;
  }
}
