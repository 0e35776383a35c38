package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.SweepingWalFiles;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.txn.Transaction;

/**
 * Sweeps the crash point over every WAL write and fsync of a small single-threaded workload (with page
 * evictions and checkpoints): just before each one, the data directory is copied (the crash image), and
 * for a write the first half of its bytes is put into the copy too (a torn write). Each image must
 * recover to the state after the commits acknowledged so far, or after one more (a commit made durable by
 * the I/O in flight).
 */
class WalCrashSweepTest {

  @TempDir Path tmp;

  @Test
  void everyWalIoIsASurvivableCrashPoint() throws IOException {
    Path dir = tmp.resolve("db");
    List<TreeMap<Long, String>> states = new ArrayList<>();
    SweepingWalFiles sweeping = new SweepingWalFiles(dir, tmp);
    AtomicInteger acked = sweeping.acked;
    AtomicBoolean armed = sweeping.armed;
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(8).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).walFiles(sweeping).build();
    TreeMap<Long, String> model = new TreeMap<>();
    states.add(new TreeMap<>(model));
    try (Database db = Database.open(dir, o)) {
      HeapTable t = db.heapTable("t");
      armed.set(true);
      List<Long> rids = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        Transaction tx = db.begin();
        TreeMap<Long, String> next = new TreeMap<>(model);
        for (int j = 0; j < 2; j++) {
          String v = "t" + i + "r" + j + "-" + "z".repeat(600);
          long rid = t.insert(tx, v.getBytes());
          next.put(rid, v);
          rids.add(rid);
        }
        long old = rids.get(i);
        if (next.containsKey(old)) {
          t.update(tx, old, ("u" + i).getBytes());
          next.put(old, "u" + i);
        }
        if (i % 5 == 2) {
          tx.abort();
          continue;
        }
        tx.commit();
        model = next;
        states.add(new TreeMap<>(model));
        acked.incrementAndGet();
        if (i % 8 == 7) db.checkpoint();
      }
      armed.set(false);
    }
    List<SweepingWalFiles.Image> images = sweeping.images();
    System.out.println("WalCrashSweepTest: " + images.size() + " crash points");
    assertThat(images.size()).isGreaterThan(30);
    for (SweepingWalFiles.Image img : images) {
      try (Database db = Database.open(img.dir(), DatabaseOptions.builder().poolFrames(8).walSegmentSize(1 << 20)
          .checkpointInterval(Duration.ZERO).build())) {
        TreeMap<Long, String> actual = new TreeMap<>();
        db.heapTable("t").scan((r, v) -> actual.put(r, new String(v)));
        TreeMap<Long, String> before = states.get(img.acked());
        TreeMap<Long, String> after = states.get(Math.min(img.acked() + 1, states.size() - 1));
        assertThat(actual).as("crash image %s after %d acknowledged commits", img.dir().getFileName(), img.acked())
            .isIn(before, after);
      }
    }
  }
}
