package org.rustydb.cli;

import java.util.concurrent.Callable;
import org.rustydb.Database;
import org.rustydb.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb put DIR TABLE KEY VALUE}: stores one value, creating the database and table if missing. */
@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = {
      "Store VALUE under KEY in table TABLE of the database in DIR (one committed transaction).",
      "The database and the table (a B+tree table) are created when they do not exist.",
      "Prints 'inserted' for a new key, 'replaced' for an existing one."
    })
public final class PutCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin KeyArguments args;

  @Parameters(index = "3", paramLabel = "VALUE", description = "the value (UTF-8 text, or hex with --hex)")
  String value;

  @Override
  public Integer call() {
    byte[] k = args.keyBytes();
    byte[] v = TableAccess.decode(value, args.hex, "VALUE");
    try (Database db = TableAccess.openOrCreate(args.dir)) {
      Table t = TableAccess.openOrCreateTable(db, args.table);
      spec.commandLine().getOut().println(t.put(k, v) ? "inserted" : "replaced");
    }
    return RustyDbCommand.EXIT_OK;
  }
}
