package org.rustydb.cli;

import java.util.concurrent.Callable;
import org.rustydb.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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

  @CommandLine.Mixin KeyArguments args;

  @Override
  public Integer call() {
    byte[] k = args.keyBytes();
    try (Database db = TableAccess.openExisting(args.dir)) {
      if (!db.openTable(args.table).delete(k)) {
        spec.commandLine().getErr().println("delete: no key " + args.key + " in table " + args.table);
        return RustyDbCommand.EXIT_FAILURE;
      }
      spec.commandLine().getOut().println("deleted");
    }
    return RustyDbCommand.EXIT_OK;
  }
}
