package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.rustydb.CorruptionException;
import org.rustydb.Cursor;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.DatabaseStats;
import org.rustydb.Table;
import org.rustydb.TableOptions;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;

/**
 * The second half of {@code rustydb demo}: the public API on a B+tree table. Loads rows in batched
 * transactions, runs a mixed workload of auto-committed gets, puts, deletes and short scans checked against
 * an in-memory model, reopens the database and checks every row again, and prints the statistics' highlights.
 */
final class BTreeDemo {

  static final String TABLE = "users";

  private BTreeDemo() {}

  /**
   * Runs the demo in {@code root} (an existing data directory).
   *
   * @throws CorruptionException when a result differs from the model
   */
  static void run(Path root, int rows, int ops, PrintWriter out) {
    // NO_SYNC: commits reach the OS at once and the disk at the next group flush or checkpoint; the demo
    // shows the engine, not the disk's fsync latency.
    DatabaseOptions options = DatabaseOptions.builder().checkpointInterval(Duration.ZERO).durability(Durability.NO_SYNC)
        .poolFrames(2048).build();
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    SplittableRandom r = new SplittableRandom(42);
    DatabaseStats stats;
    long t0 = System.nanoTime();
    try (Database db = Database.open(root, options)) {
      Table t = db.createTable(TABLE, TableOptions.defaults());
      int batch = 1000;
      for (int i = 0; i < rows; i += batch) {
        try (Transaction txn = db.begin()) {
          for (int j = i; j < Math.min(rows, i + batch); j++) {
            byte[] k = key(j);
            byte[] v = value(j, 0);
            t.put(txn, k, v);
            model.put(k, v);
          }
          txn.commit();
        }
      }
      double loadSecs = (System.nanoTime() - t0) / 1e9;
      out.printf("  B+tree  table %s: loaded %,d rows in %,d transactions of %,d: %.2f s, %,.0f rows/s%n",
          TABLE, rows, (rows + batch - 1) / batch, batch, loadSecs, rows / loadSecs);

      long t1 = System.nanoTime();
      long gets = 0, puts = 0, deletes = 0, scans = 0, scanned = 0;
      for (int op = 0; op < ops; op++) {
        int kind = r.nextInt(100);
        byte[] k = key(r.nextInt(rows + rows / 10));
        if (kind < 50) {
          gets++;
          check(Arrays.equals(t.get(k), model.get(k)), "get " + str(k) + " differs from what was written");
        } else if (kind < 80) {
          puts++;
          byte[] v = value(r.nextInt(rows), op + 1);
          t.put(k, v);
          model.put(k, v);
        } else if (kind < 90) {
          deletes++;
          check(t.delete(k) == (model.remove(k) != null), "delete " + str(k) + " disagrees with the model");
        } else {
          scans++;
          var expected = model.tailMap(k, true).entrySet().iterator();
          try (Cursor c = t.scan(k, null)) {
            for (int i = 0; i < 20 && c.next(); i++, scanned++) {
              var e = expected.next();
              check(Arrays.equals(c.key(), e.getKey()) && Arrays.equals(c.value(), e.getValue()),
                  "scan from " + str(k) + " differs at entry " + i);
            }
          }
        }
      }
      double opSecs = (System.nanoTime() - t1) / 1e9;
      out.printf("          mixed workload: %,d operations (%,d gets, %,d puts, %,d deletes, %,d scans of up to 20 rows),"
          + " each auto-committed, every result checked: %.2f s, %,.0f ops/s%n",
          ops, gets, puts, deletes, scans, opSecs, ops / opSecs);
      try (Cursor c = t.scanDescending(null, null)) {
        StringBuilder last = new StringBuilder();
        for (int i = 0; i < 3 && c.next(); i++) last.append(i == 0 ? "" : ", ").append(str(c.key()));
        out.printf("          %,d rows now; the last keys, by a descending scan: %s%n", model.size(), last);
      }
      stats = db.stats();
    }
    long t2 = System.nanoTime();
    try (Database db = Database.open(root, options); Cursor c = db.openTable(TABLE).scan(null, null)) {
      var expected = model.entrySet().iterator();
      long n = 0;
      while (c.next()) {
        check(expected.hasNext(), "after reopening, more rows than written");
        var e = expected.next();
        check(Arrays.equals(c.key(), e.getKey()) && Arrays.equals(c.value(), e.getValue()),
            "after reopening, row " + n + " (" + str(c.key()) + ") differs from what was written");
        n++;
      }
      check(!expected.hasNext(), "after reopening, " + (model.size() - n) + " rows are missing");
      out.printf("          reopened and scanned all %,d rows: every one matches (%.2f s)%n", n, (System.nanoTime() - t2) / 1e9);
    }
    var bp = stats.bufferPool();
    var wal = stats.wal();
    var io = stats.io();
    out.printf("  stats   buffer pool: %,d of %,d frames used, %,d dirty, hit rate %.1f%%, %,d evictions%n",
        bp.usedFrames(), bp.totalFrames(), bp.dirtyFrames(), 100 * bp.hitRate(), bp.evictions());
    out.printf("          WAL: %,d records, %.1f MiB, %,d commits, %,d fsyncs%n",
        wal.recordsAppended(), wal.bytesAppended() / (double) (1 << 20), wal.commits(), wal.fsyncs());
    out.printf("          I/O (%s): %,d reads, %,d writes, %.1f MiB written, write latency p50 %d us, p99 %d us%n",
        stats.ioEngine(), io.reads(), io.writes(), io.bytesWritten() / (double) (1 << 20), io.writeLatencyP50Us(),
        io.writeLatencyP99Us());
  }

  static byte[] key(int i) {
    return String.format("user:%08d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /** Row {@code i}'s value, version {@code v}: 60 to 160 bytes of text, a function of both. */
  static byte[] value(int i, int v) {
    SplittableRandom r = new SplittableRandom(i * 31L + v);
    byte[] prefix = ("{\"id\":" + i + ",\"v\":" + v + ",\"name\":\"").getBytes(StandardCharsets.US_ASCII);
    byte[] b = Arrays.copyOf(prefix, 60 + r.nextInt(101));
    for (int j = prefix.length; j < b.length - 2; j++) b[j] = (byte) ('a' + r.nextInt(26));
    b[b.length - 2] = '"';
    b[b.length - 1] = '}';
    return b;
  }

  private static String str(byte[] k) {
    return new String(k, StandardCharsets.UTF_8);
  }

  private static void check(boolean ok, String problem) {
    if (!ok) throw new CorruptionException("demo: " + problem);
  }
}
