package org.rustydb.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rustydb delete DIR TABLE KEY}: removes a key; exits 1 when it was not there. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = {
      "Remove KEY from table TABLE of the database in DIR (one committed transaction).",
      "Prints 'deleted'; exits 1 with a message when the key (or the table) does not exist."
    })
public final class DeleteCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "TABLE", description = "the table")
  String table;

  @Parameters(index = "2", paramLabel = "KEY", description = "the key (UTF-8 text, or hex with --hex)")
  String key;

  @Option(names = "--hex", description = "KEY is hex digits")
  boolean hex;

  @Override
  public Integer call() {
    byte[] k = TableAccess.decode(key, hex, "KEY");
    try (Database db = TableAccess.openExisting(dir)) {
      if (!db.openTable(table).delete(k)) {
        spec.commandLine().getErr().println("delete: no key " + key + " in table " + table);
        return RustyDbCommand.EXIT_FAILURE;
      }
      spec.commandLine().getOut().println("deleted");
    }
    return RustyDbCommand.EXIT_OK;
  }
}
