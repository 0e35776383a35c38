package org.rustydb.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.ControlFile;
import org.rustydb.wal.Lsn;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb checkpoint DIR}: opens (recovering if needed), checkpoints, closes cleanly. */
@Command(
    name = "checkpoint",
    mixinStandardHelpOptions = true,
    description = "Open data directory DIR (recovering it if needed), take a checkpoint and close it cleanly.")
public final class CheckpointCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dir)) throw new OperationFailedException("no data directory at " + dir);
    long lsn;
    try (Database db = Database.open(dir, DatabaseOptions.builder().checkpointInterval(Duration.ZERO).build())) {
      lsn = db.checkpoint();
    }
    ControlFile.Contents c = new ControlFile(dir).read();
    spec.commandLine().getOut().printf("checkpoint at %s; control file: state %s, checkpoint %s, redo start %s%n",
        Lsn.toString(lsn), c.state(), Lsn.toString(c.checkpointLsn()), Lsn.toString(c.redoStartLsn()));
    return RustyDbCommand.EXIT_OK;
  }
}
