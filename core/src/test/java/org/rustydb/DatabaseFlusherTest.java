package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.buffer.DirtyPageFlusher;
import org.rustydb.buffer.FlusherOptions;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.io.FaultInjectingIoEngine;
import org.rustydb.io.IoRequest;
import org.rustydb.stats.FlusherStats;
import org.rustydb.txn.Transaction;

/** The database's background dirty page flusher: on by default, its stats reachable, stopped by close. */
class DatabaseFlusherTest {

  @TempDir Path tmp;

  static long flusherThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals(DirtyPageFlusher.THREAD_NAME)).count();
  }

  @Test
  void theFlusherIsOnByDefault() {
    assertThat(DatabaseOptions.defaults().backgroundFlush()).isTrue();
  }

  @Test
  void theFlusherWritesDirtyPagesBesideTheCheckpointerAndStopsOnClose() {
    Path dir = tmp.resolve("db");
    long before = flusherThreads();
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(64).checkpointInterval(Duration.ZERO)
        .flusher(FlusherOptions.builder().dirtyRatioThreshold(0)
            .idleDirtyRatioThreshold(0).round(Duration.ofMillis(1)).build()).build();
    TreeMap<Long, String> model = new TreeMap<>();
    FlusherStats stats;
    try (Database db = Database.open(dir, o)) {
      assertThat(flusherThreads()).isEqualTo(before + 1);
      HeapTable t = db.heapTable("t");
      Transaction tx = db.begin();
      for (int i = 0; i < 100; i++) {
        String v = "row" + i + "-" + "z".repeat(300);
        model.put(t.insert(tx, v.getBytes()), v);
      }
      tx.commit();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (db.flusherStats().orElseThrow().pagesWritten() == 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      stats = db.flusherStats().orElseThrow();
      assertThat(stats.pagesWritten()).as("pages the flusher wrote, no checkpoint since the inserts").isPositive();
      assertThat(stats.writeOps()).isBetween(1L, stats.pagesWritten());
      assertThat(stats.writesSaved()).isEqualTo(stats.pagesWritten() - stats.writeOps());
    }
    assertThat(flusherThreads()).as("close stops the flusher").isEqualTo(before);
    try (Database db = Database.open(dir, o)) {
      TreeMap<Long, String> actual = new TreeMap<>();
      db.heapTable("t").scan((rid, v) -> actual.put(rid, new String(v)));
      assertThat(actual).isEqualTo(model);
    }
  }

  @Test
  void withoutTheFlusherThereAreNoStatsAndNoThread() {
    long before = flusherThreads();
    try (Database db = Database.open(tmp.resolve("db"),
        DatabaseOptions.builder().poolFrames(64).checkpointInterval(Duration.ZERO).backgroundFlush(false).build())) {
      assertThat(db.flusherStats()).isEmpty();
      assertThat(flusherThreads()).isEqualTo(before);
    }
  }

  @Test
  void theFlusherStopsWhenAFailedFsyncTurnedThePageFilesReadOnly() {
    AtomicReference<FaultInjectingIoEngine> engine = new AtomicReference<>();
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(64).checkpointInterval(Duration.ZERO)
        .flusher(FlusherOptions.builder().dirtyRatioThreshold(0)
            .idleDirtyRatioThreshold(0).round(Duration.ofMillis(1)).build())
        .ioEngineDecorator(e -> {
          FaultInjectingIoEngine f = new FaultInjectingIoEngine(e);
          engine.set(f);
          return f;
        }).build();
    long before = flusherThreads();
    Database db = Database.open(tmp.resolve("db"), o);
    try {
      HeapTable t = db.heapTable("t");
      engine.get().failNthSync(1, r -> r instanceof IoRequest.Sync);
      Transaction tx = db.begin();
      t.insert(tx, "x".getBytes());
      tx.commit();
      Transaction more = db.begin(); // begun before the failure: afterwards the database begins none
      assertThatThrownBy(db::checkpoint).isInstanceOf(DatabaseFailedException.class);
      assertThatThrownBy(db::begin).isInstanceOf(DatabaseFailedException.class).hasMessageContaining("read-only");
      t.insert(more, "y".getBytes()); // a dirty page the flusher cannot write any more
      more.commit();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (flusherThreads() > before && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      assertThat(flusherThreads()).as("the flusher ended by itself").isEqualTo(before);
    } finally {
      try {
        db.close();
      } catch (DatabaseFailedException expected) {
        // the final checkpoint cannot succeed either
      }
    }
  }
}
