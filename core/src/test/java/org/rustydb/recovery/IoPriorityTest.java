package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.buffer.FlusherOptions;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.io.FileOpenOptions;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoFile;
import org.rustydb.io.IoMetrics;
import org.rustydb.io.IoPriority;
import org.rustydb.io.IoRequest;
import org.rustydb.io.IoScheduler;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;
import org.rustydb.wal.EngineWalFile;

/**
 * The spec's I/O priorities as a database applies them: checkpoint page writes and syncs HIGH, the
 * background flusher's page writes and the prefetcher's reads LOW, other page I/O NORMAL (page reads a caller waits for skip the
 * queue: {@code IoScheduler.execute}), and the WAL's writes and fdatasyncs CRITICAL when it goes through
 * the engine. A decorator
 * under the I/O scheduler records the priority each request is dispatched with.
 */
class IoPriorityTest {

  @TempDir Path tmp;

  /** One request as the engine saw it. */
  record Seen(String kind, Path file, IoPriority priority) {}

  /** Records every request handed to the engine, with {@link IoScheduler#dispatchPriority()}. */
  static final class Recording implements IoEngine {
    final IoEngine real;
    final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    Recording(IoEngine real) {
      this.real = real;
    }

    @Override public String name() { return real.name(); }
    @Override public IoFile open(Path path, FileOpenOptions options) { return real.open(path, options); }
    @Override public boolean registerBuffers(MemorySegment region) { return real.registerBuffers(region); }
    @Override public void unregisterBuffers() { real.unregisterBuffers(); }
    @Override public int maxIovecs() { return real.maxIovecs(); }
    @Override public IoMetrics metrics() { return real.metrics(); }
    @Override public void close() { real.close(); }

    @Override
    public List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests) {
      IoPriority p = IoScheduler.dispatchPriority();
      for (IoRequest r : requests) {
        switch (r) {
          case IoRequest.Read x -> seen.add(new Seen("read", x.file().path(), p));
          case IoRequest.Write x -> seen.add(new Seen("write", x.file().path(), p));
          case IoRequest.Sync x -> seen.add(new Seen("sync", x.file().path(), p));
        }
      }
      return real.submit(requests);
    }

    List<Seen> take() {
      List<Seen> out = List.copyOf(seen);
      seen.clear();
      return out;
    }
  }

  private static boolean isWal(Seen s) {
    return s.file().getParent().getFileName().toString().equals("wal");
  }

  private DatabaseOptions.Builder options(Recording[] holder) {
    return DatabaseOptions.builder().poolFrames(256).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO)
        .backgroundFlush(false).warmPool(false) // no background reads between the windows the tests record
        .ioEngineDecorator(e -> holder[0] = new Recording(e));
  }

  private static void insertRows(Database db, int n) {
    HeapTable t = db.heapTable("t");
    Transaction tx = db.begin();
    for (int i = 0; i < n; i++) t.insert(tx, ("row-" + i + "-" + "x".repeat(200)).getBytes());
    tx.commit(Durability.SYNC);
  }

  @Test
  void checkpointPagesGoHighAndTheLogCriticalThroughTheEngine() {
    Recording[] rec = new Recording[1];
    try (Database db = Database.open(tmp.resolve("db"), options(rec).walFiles(EngineWalFile.DATABASE_ENGINE).build())) {
      rec[0].take();
      insertRows(db, 200);
      List<Seen> commit = rec[0].take();
      assertThat(commit).as("a SYNC commit writes and syncs the log through the engine")
          .anyMatch(s -> isWal(s) && s.kind().equals("write")).anyMatch(s -> isWal(s) && s.kind().equals("sync"));
      assertThat(commit.stream().filter(IoPriorityTest::isWal)).allMatch(s -> s.priority() == IoPriority.CRITICAL);

      db.checkpoint();
      List<Seen> cp = rec[0].take();
      List<Seen> pages = cp.stream().filter(s -> !isWal(s)).toList();
      assertThat(pages).as("the checkpoint writes and syncs the dirty pages")
          .anyMatch(s -> s.kind().equals("write")).anyMatch(s -> s.kind().equals("sync"));
      assertThat(pages).as("every page request of a checkpoint is HIGH").allMatch(s -> s.priority() == IoPriority.HIGH);
      assertThat(cp.stream().filter(IoPriorityTest::isWal)).as("its log records go CRITICAL")
          .isNotEmpty().allMatch(s -> s.priority() == IoPriority.CRITICAL);
    }
  }

  @Test
  void pageIoOutsideACheckpointIsNormalAndTheDefaultLogBypassesTheEngine() {
    Recording[] rec = new Recording[1];
    Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir, options(rec).build())) {
      insertRows(db, 300);
    }
    // A pool of 8 frames: reading the table back evicts, so pages are read (and written) outside any checkpoint.
    try (Database db = Database.open(dir, options(rec).poolFrames(8).build())) {
      rec[0].take();
      long[] count = new long[1];
      db.heapTable("t").scan((rid, v) -> count[0]++);
      assertThat(count[0]).isEqualTo(300);
      List<Seen> reads = rec[0].take();
      assertThat(reads).anyMatch(s -> s.kind().equals("read"));
      // A miss reads at NORMAL; the prefetcher, following the scan, at LOW (background work).
      assertThat(reads).anyMatch(s -> s.priority() == IoPriority.NORMAL);
      assertThat(reads).allMatch(s -> s.priority() == IoPriority.NORMAL || s.priority() == IoPriority.LOW);
      assertThat(reads).noneMatch(IoPriorityTest::isWal);

      insertRows(db, 50); // a commit with the default WAL files: FileChannel, not the engine
      assertThat(rec[0].take()).noneMatch(IoPriorityTest::isWal);
      db.checkpoint();
      List<Seen> cp = rec[0].take();
      assertThat(cp).anyMatch(s -> s.kind().equals("write")).allMatch(s -> s.priority() == IoPriority.HIGH);
    }
  }

  /**
   * The background flusher's page writes are LOW. After a checkpoint has made every page clean, updates in
   * place dirty pages without growing the file, in a pool too large to evict: the only page writes until
   * the flusher has written are the flusher's own.
   */
  @Test
  void theBackgroundFlushersPageWritesAreLow() {
    Recording[] rec = new Recording[1];
    FlusherOptions flush = FlusherOptions.builder().round(Duration.ofMillis(1)).dirtyRatioThreshold(0.01)
        .idleDirtyRatioThreshold(0.01).build();
    try (Database db = Database.open(tmp.resolve("db"), options(rec).backgroundFlush(true).flusher(flush)
        .walFiles(EngineWalFile.DATABASE_ENGINE).build())) {
      HeapTable t = db.heapTable("t");
      List<Long> rids = new java.util.ArrayList<>();
      Transaction tx = db.begin();
      for (int i = 0; i < 200; i++) rids.add(t.insert(tx, ("row-" + i + "-" + "x".repeat(200)).getBytes()));
      tx.commit(Durability.SYNC);
      db.checkpoint(); // waits for any flusher write in flight; every page is clean afterwards
      long before = db.flusherStats().orElseThrow().pagesWritten();
      rec[0].take();

      Transaction up = db.begin();
      for (long rid : rids) assertThat(t.update(up, rid, ("new-" + rid).getBytes())).isTrue();
      up.commit(Durability.SYNC);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (db.flusherStats().orElseThrow().pagesWritten() == before) {
        assertThat(System.nanoTime()).as("the flusher writes the updated pages within 30 s").isLessThan(deadline);
        Thread.yield();
      }
      List<Seen> seen = rec[0].take();
      List<Seen> pageWrites = seen.stream().filter(s -> !isWal(s) && s.kind().equals("write")).toList();
      assertThat(pageWrites).as("the flusher's writes").isNotEmpty().allMatch(s -> s.priority() == IoPriority.LOW);
      assertThat(seen.stream().filter(IoPriorityTest::isWal)).as("the log keeps its lane")
          .isNotEmpty().allMatch(s -> s.priority() == IoPriority.CRITICAL);
    }
  }

  @Test
  void theDatabaseEngineMarkerOpensNothingOnItsOwn() {
    assertThatThrownBy(() -> EngineWalFile.DATABASE_ENGINE.open(tmp.resolve("x"), false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DatabaseOptions.walFiles");
  }
}
