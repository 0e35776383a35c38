import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import org.rustydb.Cursor;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.DatabaseStats;
import org.rustydb.EngineKind;
import org.rustydb.Table;
import org.rustydb.TableInfo;
import org.rustydb.TableOptions;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;

/**
 * RustyDB in one page: open a database, create a table, write and read keys, scan a range, group writes in
 * a transaction, and look at the statistics. Copy it and change what you like.
 *
 * <p>Run it from the repository's root after building once (./rustydb --help builds the CLI):
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'cli/target/lib/*' examples/QuickStart.java [DIR]
 * </pre>
 * DIR (default: a new temporary folder) is where the database lives; run it twice on the same DIR to see
 * the data survive.
 */
public class QuickStart {

  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("rustydb-quickstart");

    DatabaseOptions options = DatabaseOptions.builder()
        .poolBytes(64L << 20)             // a 64 MiB page cache
        .durability(Durability.SYNC)      // commit returns once the log is on disk (the default)
        .build();

    try (Database db = Database.open(dir, options)) {   // creates the database, or recovers an existing one
      boolean exists = db.listTables().stream().anyMatch(t -> t.name().equals("fruit"));
      Table fruit = exists
          ? db.openTable("fruit")
          : db.createTable("fruit", TableOptions.builder().engine(EngineKind.BTREE).build());

      // Single operations commit on their own (auto-commit).
      fruit.put(bytes("apple"), bytes("red"));
      fruit.put(bytes("banana"), bytes("yellow"));
      fruit.put(bytes("cherry"), bytes("dark red"));
      System.out.println("apple is " + text(fruit.get(bytes("apple"))));
      System.out.println("durian is " + (fruit.get(bytes("durian")) == null ? "not there" : "there"));

      // Several changes as one: all or nothing.
      try (Transaction txn = db.begin()) {
        fruit.put(txn, bytes("date"), bytes("brown"));
        fruit.delete(txn, bytes("banana"));
        txn.commit();
      }

      // Closing a transaction that did not commit rolls it back.
      try (Transaction txn = db.begin()) {
        fruit.put(txn, bytes("elderberry"), bytes("purple"));
        // Until it commits, only the transaction itself sees its change: reads see committed data.
        System.out.println("elderberry inside the transaction: " + text(fruit.get(txn, bytes("elderberry")))
            + "; outside: " + (fruit.get(bytes("elderberry")) == null ? "not there" : "there"));
      }
      System.out.println("elderberry after rollback: " + (fruit.get(bytes("elderberry")) == null ? "not there" : "there"));

      // A range: from "b" (inclusive) to "e" (exclusive), in key order.
      try (Cursor c = fruit.scan(bytes("b"), bytes("e"))) {
        while (c.next()) System.out.println("  " + text(c.key()) + " = " + text(c.value()));
      }

      for (TableInfo t : db.listTables()) System.out.println("table " + t.name() + " (" + t.engine() + ")");
      DatabaseStats s = db.stats();
      System.out.printf("buffer pool hit rate %.1f%%, %d WAL records, %d commits%n",
          100 * s.bufferPool().hitRate(), s.wal().recordsAppended(), s.wal().commits());
    }
    System.out.println("database in " + dir);
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  static String text(byte[] b) {
    return new String(b, UTF_8);
  }
}
