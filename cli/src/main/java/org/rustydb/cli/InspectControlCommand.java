package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.ControlFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb inspect control DIR}. */
@Command(
    name = "control",
    mixinStandardHelpOptions = true,
    description = "Show the control file of data directory DIR (falling back to its copy if it is damaged).")
public final class InspectControlCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dir)) throw new OperationFailedException("no data directory at " + dir);
    PrintWriter out = spec.commandLine().getOut();
    ControlFile.Loaded l = new ControlFile(dir).load();
    ControlFile.Contents c = l.contents();
    out.printf("control file         %s%n", l.source());
    if (l.primaryProblem() != null) out.printf("  WARNING: %s is damaged (%s); shown: its copy%n", ControlFile.NAME, l.primaryProblem());
    if (l.copyProblem() != null) out.printf("  WARNING: %s is damaged (%s)%n", ControlFile.COPY_NAME, l.copyProblem());
    out.printf("state                %s%n", c.state());
    out.printf("system id            %016x%n", c.systemId());
    out.printf("last checkpoint LSN  %d%n", c.checkpointLsn());
    out.printf("redo start LSN       %d%n", c.redoStartLsn());
    out.printf("page format version  %d%n", c.pageFormatVersion());
    out.printf("WAL format version   %d%n", c.walFormatVersion());
    out.printf("updated              %s%n", Instant.ofEpochMilli(c.updatedMillis()));
    return l.fellBack() || l.copyProblem() != null ? RustyDbCommand.EXIT_FAILURE : RustyDbCommand.EXIT_OK;
  }
}
