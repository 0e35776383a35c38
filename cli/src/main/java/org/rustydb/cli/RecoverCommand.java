package org.rustydb.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.recovery.RecoveryReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb recover DIR}: runs crash recovery and prints its report. */
@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    description = "Recover data directory DIR (ARIES analysis, redo, undo), close it cleanly and print the report.")
public final class RecoverCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dir)) throw new OperationFailedException("no data directory at " + dir);
    RecoveryReport r;
    try (Database db = Database.open(dir, DatabaseOptions.builder().checkpointInterval(Duration.ZERO).build())) {
      r = db.recoveryReport();
    }
    var out = spec.commandLine().getOut();
    out.println(r);
    out.printf("replay speed %.1f MB/s%n", r.megabytesPerSecond());
    return RustyDbCommand.EXIT_OK;
  }
}
