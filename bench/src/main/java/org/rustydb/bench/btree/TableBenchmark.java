package org.rustydb.bench.btree;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rustydb.Cursor;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.EngineKind;
import org.rustydb.Table;
import org.rustydb.TableOptions;
import org.rustydb.bench.DataDirs;
import org.rustydb.wal.Durability;

/**
 * A B+tree table through the public API with YCSB's record shape ("user" and a 64-bit hash as the key,
 * 1,120-byte values, three to a leaf): a get, a scan of 50 records from a random key, and an insert of a
 * new key (auto-commit, NO_SYNC), on {@code records} loaded records. With 3,000 records the table is in the
 * CPU caches, so the tree's own work shows; with 50,000 (about 80 MB of leaves) a get is mostly one leaf
 * brought from memory. The pool (256 MiB) holds the table either way, inserts included. Run with {@code -t 2}
 * to see what the threads share (latch words, locks).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TableBenchmark {

  @Param({"3000", "50000"})
  int records;

  private Path dir;
  private Database db;
  private Table table;
  private byte[][] keys;

  static byte[] key(long i) {
    return ("user" + Long.toUnsignedString(i * 0x9E3779B97F4A7C15L)).getBytes(StandardCharsets.UTF_8);
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("rustydb-table-bench");
    db = Database.open(dir, DatabaseOptions.builder().poolBytes(256L << 20).durability(Durability.NO_SYNC).build());
    table = db.createTable("usertable", TableOptions.builder().engine(EngineKind.BTREE).build());
    keys = new byte[records][];
    Random r = new Random(1);
    byte[] value = new byte[1120];
    for (int i = 0; i < records; i++) {
      keys[i] = key(i);
      r.nextBytes(value);
      table.put(keys[i], value);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    DataDirs.deleteTree(dir);
  }

  private byte[] randomKey() {
    return keys[ThreadLocalRandom.current().nextInt(records)];
  }

  @Benchmark
  public byte[] get() {
    return table.get(randomKey());
  }

  /** Records read per call: 50 (fewer only at the end of the key space). */
  @Benchmark
  public int scan50() {
    int n = 0;
    try (Cursor c = table.scan(randomKey(), null)) {
      while (n < 50 && c.next()) n += c.value().length > 0 ? 1 : 0;
    }
    return n;
  }

  /** A key not loaded (an odd multiplier's products of indexes past {@code records}), mostly new. */
  @Benchmark
  public boolean insert() {
    byte[] value = new byte[1120];
    ThreadLocalRandom r = ThreadLocalRandom.current();
    r.nextBytes(value);
    return table.put(key(records + (r.nextLong() >>> 1)), value);
  }
}
