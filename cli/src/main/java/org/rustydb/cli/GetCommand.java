package org.rustydb.cli;

import java.util.concurrent.Callable;
import org.rustydb.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rustydb get DIR TABLE KEY}: prints the value, or exits 1 when the key is not there. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Print the value stored under KEY in table TABLE of the database in DIR.",
      "Exits 1 with a message when the key (or the table) does not exist."
    })
public final class GetCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin KeyArguments args;

  @Override
  public Integer call() {
    byte[] k = args.keyBytes();
    try (Database db = TableAccess.openExisting(args.dir)) {
      byte[] v = db.openTable(args.table).get(k);
      if (v == null) {
        spec.commandLine().getErr().println("get: no key " + args.key + " in table " + args.table);
        return RustyDbCommand.EXIT_FAILURE;
      }
      spec.commandLine().getOut().println(TableAccess.encode(v, args.hex));
    }
    return RustyDbCommand.EXIT_OK;
  }
}
