package org.rustydb.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.Table;
import org.rustydb.TableInfo;
import org.rustydb.TableOptions;
import org.rustydb.disk.ControlFile;

/**
 * What the table commands ({@code put}, {@code get}, {@code delete}, {@code scan}, {@code load},
 * {@code tables}) share: opening the database and the table, and turning keys and values into bytes and
 * back (UTF-8 text, or hex with {@code --hex}).
 */
final class TableAccess {

  private TableAccess() {}

  /** Options for a short command-line session: no background checkpoints (open and close take one). */
  static DatabaseOptions options() {
    return DatabaseOptions.builder().checkpointInterval(Duration.ZERO).build();
  }

  /** Opens the existing database in {@code dir}; fails clearly when there is none. */
  static Database openExisting(Path dir) {
    if (!Files.isDirectory(dir) || !Files.exists(dir.resolve(ControlFile.NAME))) {
      throw new OperationFailedException("no database at " + dir + " (create one with ./rustydb init " + dir
          + ", or ./rustydb put / load, which create it)");
    }
    return Database.open(dir, options());
  }

  /** Opens the database in {@code dir}, creating it when the folder does not exist or is empty. */
  static Database openOrCreate(Path dir) {
    return Database.open(dir, options());
  }

  /** Table {@code name}, created as a B+tree table when it does not exist. */
  static Table openOrCreateTable(Database db, String name) {
    for (TableInfo t : db.listTables()) {
      if (t.name().equals(name)) return db.openTable(name);
    }
    return db.createTable(name, TableOptions.defaults());
  }

  /** A key or value given on the command line: UTF-8, or hex digits with {@code --hex}. */
  static byte[] decode(String s, boolean hex, String what) {
    if (!hex) return s.getBytes(StandardCharsets.UTF_8);
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw new OperationFailedException(what + " is not an even number of hex digits: " + s);
    }
  }

  /** Bytes for printing: UTF-8 text (malformed sequences shown as U+FFFD), or hex digits with {@code --hex}. */
  static String encode(byte[] b, boolean hex) {
    return hex ? HexFormat.of().formatHex(b) : new String(b, StandardCharsets.UTF_8);
  }
}
