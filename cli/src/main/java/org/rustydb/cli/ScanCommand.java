package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.Cursor;
import org.rustydb.Database;
import org.rustydb.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rustydb scan DIR TABLE [--from K] [--to K] [--limit N] [--reverse]}: prints a key range. */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Print the entries of table TABLE with FROM <= key < TO, one 'key<TAB>value' line each, in key order",
      "(unsigned bytes; --reverse: descending). Without --from or --to that side is open."
    })
public final class ScanCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "TABLE", description = "the table")
  String table;

  @Option(names = "--from", paramLabel = "K", description = "the first key (inclusive)")
  String from;

  @Option(names = "--to", paramLabel = "K", description = "the end key (exclusive)")
  String to;

  @Option(names = "--limit", paramLabel = "N", description = "print at most N entries")
  Long limit;

  @Option(names = "--reverse", description = "descending key order")
  boolean reverse;

  @Option(names = "--hex", description = "--from and --to are hex digits; keys and values are printed in hex")
  boolean hex;

  @Override
  public Integer call() {
    if (limit != null && limit < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 0: " + limit);
    }
    byte[] f = from == null ? null : TableAccess.decode(from, hex, "--from");
    byte[] t = to == null ? null : TableAccess.decode(to, hex, "--to");
    PrintWriter out = spec.commandLine().getOut();
    try (Database db = TableAccess.openExisting(dir)) {
      Table table = db.openTable(this.table);
      long max = limit == null ? Long.MAX_VALUE : limit;
      try (Cursor c = reverse ? table.scanDescending(f, t) : table.scan(f, t)) {
        c.limit(max);
        while (c.next()) {
          out.print(TableAccess.encode(c.key(), hex));
          out.print('\t');
          out.println(TableAccess.encode(c.value(), hex));
        }
      }
      out.flush();
    }
    return RustyDbCommand.EXIT_OK;
  }
}
