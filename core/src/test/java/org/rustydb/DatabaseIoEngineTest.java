package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoOptions;
import org.rustydb.txn.Transaction;

/** The database's page files run on the I/O engine its options name, and data survives a reopen on either. */
class DatabaseIoEngineTest {

  @TempDir Path dir;

  private static DatabaseOptions opts(IoOptions.Kind kind) {
    return DatabaseOptions.builder().poolFrames(64).checkpointInterval(Duration.ZERO)
        .io(IoOptions.builder().engine(kind).build()).build();
  }

  @Test
  void pagesGoThroughTheChosenEngineAndSurviveReopenOnTheOther() {
    IoOptions.Kind first = IoEngines.uringUnavailableReason() == null ? IoOptions.Kind.URING : IoOptions.Kind.FILE_CHANNEL;
    long[] ids = new long[500];
    try (Database db = Database.open(dir, opts(first))) {
      assertThat(db.ioEngineName()).isEqualTo(first == IoOptions.Kind.URING ? "uring" : "filechannel");
      HeapTable t = db.heapTable("t");
      Transaction tx = db.begin();
      for (int i = 0; i < ids.length; i++) ids[i] = t.insert(tx, ("row " + i + " ".repeat(200)).getBytes(StandardCharsets.UTF_8));
      tx.commit();
      db.checkpoint(); // writes the dirty pages (more than the 64 frames hold) through the engine
      assertThat(db.ioStats().writes()).isPositive();
      assertThat(db.ioStats().bytesWritten()).isGreaterThanOrEqualTo(4096L * db.ioStats().writes());
    }
    try (Database db = Database.open(dir, opts(IoOptions.Kind.FILE_CHANNEL))) {
      assertThat(db.ioEngineName()).isEqualTo("filechannel");
      HeapTable t = db.heapTable("t");
      for (int i = 0; i < ids.length; i++) {
        assertThat(new String(t.get(ids[i]), StandardCharsets.UTF_8)).isEqualTo("row " + i + " ".repeat(200));
      }
      assertThat(db.ioStats().reads()).isPositive();
    }
  }

  /**
   * With io_uring, page I/O on the pool's frames goes out as fixed-buffer operations: here the evictions
   * of a 16-frame pool write dirty frames back directly.
   */
  @Test
  void ioUringUsesThePoolFramesAsFixedBuffers() throws InterruptedException {
    org.junit.jupiter.api.Assumptions.assumeTrue(IoEngines.uringUnavailableReason() == null, "io_uring unavailable");
    java.util.concurrent.atomic.AtomicReference<org.rustydb.io.IoEngine> engine = new java.util.concurrent.atomic.AtomicReference<>();
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(16).checkpointInterval(Duration.ZERO)
        .io(IoOptions.builder().engine(IoOptions.Kind.URING).build())
        .ioEngineDecorator(e -> { engine.set(e); return e; }).build();
    try (Database db = Database.open(dir, o)) {
      HeapTable t = db.heapTable("t");
      Transaction tx = db.begin();
      for (int i = 0; i < 2000; i++) t.insert(tx, ("row " + i + " ".repeat(200)).getBytes(StandardCharsets.UTF_8));
      tx.commit();
    }
    // A user's misses and write-backs run on the caller's thread (pread, pwrite); background reads into
    // frames go through the ring: here the prefetcher's, as the rows are read in page order (no warm-up,
    // which reads into buffers of its own and copies).
    DatabaseOptions cold = DatabaseOptions.builder().poolFrames(16).checkpointInterval(Duration.ZERO)
        .io(IoOptions.builder().engine(IoOptions.Kind.URING).build()).warmPool(false)
        .ioEngineDecorator(e -> { engine.set(e); return e; }).build();
    try (Database db = Database.open(dir, cold)) {
      HeapTable t = db.heapTable("t");
      long[] rows = {0};
      t.scan((id, v) -> rows[0]++);
      assertThat(rows[0]).isEqualTo(2000);
      org.rustydb.io.UringIoEngine uring = (org.rustydb.io.UringIoEngine) engine.get();
      assertThat(db.stats().bufferPool().prefetches()).isPositive();
      assertThat(uring.fixedBufferTransfers()).as("fixed reads").isPositive();
    }
  }
}
