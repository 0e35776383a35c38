package org.rustydb.bench.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rustydb.bench.DataDirs;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.Table;
import org.rustydb.TableOptions;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;

/**
 * The write path that the memory manager's engine consumers sit on (issue 6): transactions of 10 B+tree
 * puts committed without fsync, either inserting new keys (leaf and branch splits: structure changes, whose
 * page snapshots come from transaction arenas) or replacing existing ones (undo payloads staged in the
 * slab, freed at commit); and a transaction of 10 replacing puts that aborts (rollback reads the undo
 * payloads back). Only public API, so the same class measures builds before and after a change. The pool
 * (128 MiB) holds the whole tree: this measures CPU, the log's in-memory append and page changes, not I/O.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TxnMemoryBenchmark {

  static final int PRELOADED = 100_000;
  static final int PUTS = 10;

  private Path dir;
  private Database db;
  private Table table;
  private long next = PRELOADED;
  private long replaced;
  private final byte[] value = new byte[100];

  static byte[] key(long i) {
    byte[] k = new byte[16];
    long x = i * 0x9E3779B97F4A7C15L; // spread: keys are not inserted in order
    for (int b = 0; b < 8; b++) k[b] = (byte) (x >>> (56 - 8 * b));
    for (int b = 0; b < 8; b++) k[8 + b] = (byte) (i >>> (56 - 8 * b));
    return k;
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("rustydb-txnmem");
    db = Database.open(dir.resolve("db"), DatabaseOptions.builder().poolFrames(32_768)
        .durability(Durability.NO_SYNC).build());
    table = db.createTable("t", TableOptions.defaults());
    for (long i = 0; i < PRELOADED; i += PUTS) {
      try (Transaction tx = db.begin()) {
        for (long j = i; j < i + PUTS; j++) table.put(tx, key(j), value);
        tx.commit(Durability.NO_SYNC);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    DataDirs.deleteTree(dir);
  }

  /** 10 new keys per transaction: splits every few transactions. */
  @Benchmark
  public void insertCommit() {
    try (Transaction tx = db.begin()) {
      for (int j = 0; j < PUTS; j++) table.put(tx, key(next++), value);
      tx.commit(Durability.NO_SYNC);
    }
  }

  /** 10 existing keys replaced per transaction: undo payloads, no splits. */
  @Benchmark
  public void updateCommit() {
    try (Transaction tx = db.begin()) {
      for (int j = 0; j < PUTS; j++) table.put(tx, key(replaced++ % PRELOADED), value);
      tx.commit(Durability.NO_SYNC);
    }
  }

  /** 10 existing keys replaced, then rolled back. */
  @Benchmark
  public void updateAbort() {
    try (Transaction tx = db.begin()) {
      for (int j = 0; j < PUTS; j++) table.put(tx, key(replaced++ % PRELOADED), value);
      tx.abort();
    }
  }
}
