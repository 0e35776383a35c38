package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rustydb.Database;
import org.rustydb.TableInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb tables DIR}: lists the tables with their engines and page files. */
@Command(
    name = "tables",
    mixinStandardHelpOptions = true,
    description = "List the tables of the database in DIR: name, engine (btree or heap) and page file under base/.")
public final class TablesCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Database db = TableAccess.openExisting(dir)) {
      List<TableInfo> tables = db.listTables();
      if (tables.isEmpty()) {
        out.println("no tables in " + dir);
        return RustyDbCommand.EXIT_OK;
      }
      int w = Math.max(5, tables.stream().mapToInt(t -> t.name().length()).max().orElse(5));
      out.printf("%-" + w + "s  %-6s  %s%n", "table", "engine", "file");
      for (TableInfo t : tables) {
        out.printf("%-" + w + "s  %-6s  base/%s%n", t.name(), t.engine().catalogName(), t.file());
      }
    }
    return RustyDbCommand.EXIT_OK;
  }
}
