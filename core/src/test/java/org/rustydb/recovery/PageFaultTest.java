package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.CorruptionException;
import org.rustydb.Database;
import org.rustydb.DatabaseFailedException;
import org.rustydb.DatabaseOptions;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.io.FaultInjectingIoEngine;
import org.rustydb.io.IoRequest;
import org.rustydb.page.PageFileVerifier;
import org.rustydb.testing.Seeds;
import org.rustydb.txn.Transaction;

/**
 * Page-file faults other than a crash, at the database level: a bit flipped on its way from the disk is a
 * {@link CorruptionException} naming the file and page (never wrong data), and a failed fsync of a page
 * file during a checkpoint fails clearly, is never taken for success later, and loses nothing that was
 * acknowledged (the WAL has it).
 */
class PageFaultTest {

  @TempDir Path tmp;

  static DatabaseOptions.Builder options() {
    return DatabaseOptions.builder().poolFrames(8).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO)
        .backgroundFlush(false).warmPool(false); // the reads counted here are the workload's own
  }

  static DatabaseOptions faulty(AtomicReference<FaultInjectingIoEngine> engine) {
    return options().ioEngineDecorator(e -> {
      FaultInjectingIoEngine f = new FaultInjectingIoEngine(e);
      engine.set(f);
      return f;
    }).build();
  }

  static TreeMap<Long, String> contents(Database db) {
    TreeMap<Long, String> out = new TreeMap<>();
    db.heapTable("t").scan((rid, v) -> out.put(rid, new String(v)));
    return out;
  }

  /** Commits {@code rows} inserts of about 300 bytes each in one transaction, into {@code model} too. */
  static void insert(Database db, int rows, String tag, TreeMap<Long, String> model) {
    HeapTable t = db.heapTable("t");
    Transaction tx = db.begin();
    TreeMap<Long, String> added = new TreeMap<>();
    for (int i = 0; i < rows; i++) {
      String v = tag + i + "-" + "y".repeat(300);
      added.put(t.insert(tx, v.getBytes()), v);
    }
    tx.commit();
    model.putAll(added);
  }

  @Test
  void aBitFlippedInAPageReadIsCorruptionNamingFileAndPageNeverWrongData() {
    long seed = Seeds.of("PageFaultTest", "rustydb.crash.seed");
    Random rnd = new Random(seed);
    Path dir = tmp.resolve("db");
    TreeMap<Long, String> model = new TreeMap<>();
    try (Database db = Database.open(dir, options().build())) {
      insert(db, 150, "r", model); // about thirteen pages, more than the pool holds: every pass reads them all
    }
    int caughtFlips = 0;
    for (int trial = 0; trial < 5; trial++) {
      AtomicReference<FaultInjectingIoEngine> engine = new AtomicReference<>();
      AtomicLong flippedAt = new AtomicLong(-1);
      long bit = rnd.nextInt(4096 * 8); // within the first page the read brings in
      int skip = trial == 0 ? 1 : 1 + rnd.nextInt(8); // which table page read: the first is on demand
      DatabaseOptions o = faulty(engine);
      Database db = Database.open(dir, o);
      try {
        engine.get().flipBitInNthRead(skip, r -> {
          boolean match = r instanceof IoRequest.Read rd && rd.offset() >= 4096
              && r.file().path().getFileName().toString().equals("table_1.dat");
          if (match) {
            flippedAt.set(((IoRequest.Read) r).offset());
          }
          return match;
        }, bit);
        String point = "seed " + seed + ", trial " + trial + ": bit " + bit + " of table page read " + skip;
        CorruptionException caught = null;
        try {
          for (int pass = 0; pass < 3; pass++) { // the pool is smaller than the table: pages are read again
            assertThat(contents(db)).as(point + ": never wrong data").isEqualTo(model);
          }
        } catch (CorruptionException e) {
          caught = e;
        }
        assertThat(engine.get().flippedBits()).as(point).isEqualTo(1);
        if (caught != null || trial == 0) { // the first table read is page 1, on demand: it must be caught
          assertThat(caught).as(point + ": a page read on demand is checked").isNotNull();
          assertThat(caught).hasMessageContaining("table_1.dat")
              .hasMessageContaining("page " + flippedAt.get() / 4096 + ":")
              .hasMessageContaining("checksum mismatch");
          caughtFlips++;
        }
        // else: the flip hit a read-ahead page that was dropped unused and read again intact: no wrong data
        // was returned either way
      } finally {
        db.close();
      }
    }
    System.out.println("PageFaultTest: " + caughtFlips + " of 5 flipped bits caught, the rest in read-ahead pages dropped unused");
    try (Database db = Database.open(dir, options().build())) {
      assertThat(contents(db)).as("the flips were on the way, not on the disk").isEqualTo(model);
    }
    assertThat(PageFileVerifier.verify(dir).problems()).isEmpty();
  }

  @Test
  void aFailedPageSyncDuringACheckpointFailsClearlyAndReopenKeepsEveryAcknowledgedCommit() {
    Path dir = tmp.resolve("db");
    AtomicReference<FaultInjectingIoEngine> engine = new AtomicReference<>();
    TreeMap<Long, String> acked = new TreeMap<>();
    Database db = Database.open(dir, faulty(engine));
    try {
      insert(db, 40, "a", acked);
      db.checkpoint();
      insert(db, 40, "b", acked);
      HeapTable t = db.heapTable("t");
      Transaction u = db.begin();
      long first = acked.firstKey();
      t.update(u, first, "changed".getBytes());
      u.commit();
      acked.put(first, "changed");
      engine.get().failNthSync(1, r -> r instanceof IoRequest.Sync
          && r.file().path().getFileName().toString().equals("table_1.dat"));
      assertThatThrownBy(db::checkpoint).isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("table_1.dat").hasMessageContaining("fsync");
      assertThat(engine.get().injectedFailures()).isEqualTo(1);
      // The database turns read-only: no transaction begins, each refusal says why.
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(db::begin).isInstanceOf(DatabaseFailedException.class)
            .hasMessageContaining("read-only").hasMessageContaining("table_1.dat");
      }
      assertThatThrownBy(db::checkpoint).as("a failed fsync is never retried as if it had worked")
          .isInstanceOf(DatabaseFailedException.class);
    } finally {
      try {
        db.close();
      } catch (DatabaseFailedException expected) {
        // the final checkpoint cannot succeed either
      }
    }
    try (Database again = Database.open(dir, options().build())) {
      assertThat(contents(again)).isEqualTo(acked);
    }
    assertThat(PageFileVerifier.verify(dir).problems()).isEmpty();
  }
  @Test
  void afterAFailedPageSyncNoReadSeesTheLostWritesAndNothingAcknowledgedIsLost() {
    Path dir = tmp.resolve("db");
    AtomicReference<FaultInjectingIoEngine> engine = new AtomicReference<>();
    TreeMap<Long, String> acked = new TreeMap<>();
    DatabaseOptions o = options().poolFrames(16).ioEngineDecorator(e -> {
      FaultInjectingIoEngine f = new FaultInjectingIoEngine(e);
      engine.set(f);
      return f;
    }).build();
    Database db = Database.open(dir, o);
    int accepted = 0;
    try {
      insert(db, 300, "a", acked); // about 26 pages: the pool holds 16
      db.checkpoint();
      HeapTable t = db.heapTable("t");
      Transaction u = db.begin();
      for (long rid : acked.keySet()) t.update(u, rid, "changed".getBytes()); // every page dirty
      u.commit();
      acked.replaceAll((k, v) -> "changed");
      engine.get().failNthSync(1, r -> r instanceof IoRequest.Sync
          && r.file().path().getFileName().toString().equals("table_1.dat"));
      assertThatThrownBy(db::checkpoint).isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("table_1.dat");
      // The checkpoint wrote the pages and the kernel lost them: the pool holds them clean, the disk old.
      for (int i = 0; i < 3; i++) {
        try {
          assertThat(contents(db)).as("never the lost writes' old bytes").isEqualTo(acked);
        } catch (DatabaseFailedException refused) {
          // refusing is fine; stale data is not
        }
        try {
          insert(db, 5, "b" + i + "-", acked);
          accepted++;
        } catch (DatabaseFailedException refused) {
          // refusing is fine
        }
      }
    } finally {
      try {
        db.close();
      } catch (DatabaseFailedException expected) {
        // the final checkpoint cannot succeed either
      }
    }
    System.out.println("PageFaultTest: " + accepted + " of 3 transactions accepted after the failed fsync (pool 16)");
    try (Database again = Database.open(dir, options().build())) {
      assertThat(contents(again)).isEqualTo(acked);
    }
    assertThat(PageFileVerifier.verify(dir).problems()).isEmpty();
  }
}
