package org.rustydb.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "TABLE", description = "the table")
  String table;

  @Parameters(index = "2", paramLabel = "KEY", description = "the key (UTF-8 text, or hex with --hex)")
  String key;

  @Option(names = "--hex", description = "KEY is hex digits, and the value is printed in hex")
  boolean hex;

  @Override
  public Integer call() {
    byte[] k = TableAccess.decode(key, hex, "KEY");
    try (Database db = TableAccess.openExisting(dir)) {
      byte[] v = db.openTable(table).get(k);
      if (v == null) {
        spec.commandLine().getErr().println("get: no key " + key + " in table " + table);
        return RustyDbCommand.EXIT_FAILURE;
      }
      spec.commandLine().getOut().println(TableAccess.encode(v, hex));
    }
    return RustyDbCommand.EXIT_OK;
  }
}
