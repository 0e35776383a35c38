package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.engine.btree.BTree;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.stats.MemoryStats;
import org.rustydb.testing.Seeds;
import org.rustydb.txn.Transaction;

/**
 * The engine consumes its allocators: B+tree structure changes take page snapshots from transaction arenas,
 * transactions keep undo payloads in the slab, both within the database's memory budget.
 */
class MemoryConsumersTest {

  @TempDir Path tmp;

  static DatabaseOptions options(int frames) {
    return DatabaseOptions.builder().poolFrames(frames).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO)
        .build();
  }

  static byte[] key(int k) {
    return String.format("key-%07d", k).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void splitsUseArenasAndUndoPayloadsUseTheSlabUntilCommit() {
    try (Database db = Database.open(tmp.resolve("db"), options(256))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      MemoryStats start = db.stats().memory();
      Transaction tx = db.begin();
      int height = t.height();
      for (int k = 0; k < 3000; k++) t.put(tx, key(k), new byte[100]);
      assertThat(t.height()).as("the load split leaves and branches").isGreaterThan(height);
      MemoryStats during = db.stats().memory();
      // Only structure changes take arenas; their chunks stay with the pool for the next change.
      assertThat(during.arenaAllocated()).as("arena chunks the splits took")
          .isGreaterThanOrEqualTo(org.rustydb.memory.TransactionProfile.SMALL.initialBytes());
      assertThat(during.arenaActiveArenas()).as("every structure change gave its arena back").isZero();
      assertThat(during.slabAllocated()).as("3000 undo payloads in slab blocks")
          .isGreaterThanOrEqualTo(start.slabAllocated() + 3000L * 64);
      assertThat(during.slabFastPathHits()).isGreaterThan(start.slabFastPathHits());
      assertThat(during.totalAllocated()).isLessThanOrEqualTo(db.options().effectiveMemoryBudget());
      tx.commit();
      assertThat(db.stats().memory().slabAllocated()).as("commit frees the undo payloads")
          .isEqualTo(start.slabAllocated());
      // An abort reads its undo payloads back from the slab.
      Transaction loser = db.begin();
      for (int k = 0; k < 3000; k += 3) t.put(loser, key(k), "changed".getBytes(StandardCharsets.UTF_8));
      for (int k = 1; k < 3000; k += 3) t.delete(loser, key(k));
      assertThat(db.stats().memory().slabAllocated()).isGreaterThan(start.slabAllocated());
      loser.abort();
      assertThat(db.stats().memory().slabAllocated()).isEqualTo(start.slabAllocated());
      for (int k = 0; k < 3000; k++) assertThat(t.get(key(k))).as("key %d", k).isEqualTo(new byte[100]);
      assertThat(t.verify()).isEmpty();
    }
  }

  @Test
  void heapRollbackReadsUndoFromTheSlabAndSurvivesReopen() {
    Path dir = tmp.resolve("db");
    List<Long> ids = new ArrayList<>();
    try (Database db = Database.open(dir, options(64))) {
      HeapTable h = db.heapTable("h");
      Transaction a = db.begin();
      for (int i = 0; i < 200; i++) ids.add(h.insert(a, ("row" + i).getBytes(StandardCharsets.UTF_8)));
      a.commit();
      Transaction b = db.begin();
      for (int i = 0; i < 200; i++) {
        if (i % 2 == 0) h.update(b, ids.get(i), ("new" + i).getBytes(StandardCharsets.UTF_8));
        else h.delete(b, ids.get(i));
      }
      b.abort();
      assertThat(db.stats().memory().slabAllocated()).isZero();
    }
    try (Database db = Database.open(dir, options(64))) {
      HeapTable h = db.heapTable("h");
      for (int i = 0; i < 200; i++) assertThat(h.get(ids.get(i))).isEqualTo(("row" + i).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Many threads commit and abort transactions whose puts split the tree (arenas, confined to each thread)
   * and stage undo payloads (slab, freed by whichever thread ends the transaction): afterwards no arena is
   * active, no slab block is held, the budget was never passed, and the tree holds exactly the commits.
   */
  @Test
  void concurrentTransactionsUseArenasAndSlabWithoutLeaksOrLoss() throws Exception {
    long seed = Seeds.of("MemoryConsumersTest", "memconsumers.seed");
    int threads = 8;
    int rounds = 60;
    try (Database db = Database.open(tmp.resolve("db"), options(256))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      ConcurrentHashMap<String, byte[]> model = new ConcurrentHashMap<>();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int worker = w;
        done.add(pool.submit(() -> {
          Random r = new Random(seed + worker);
          go.await();
          for (int round = 0; round < rounds; round++) {
            TreeMap<String, byte[]> mine = new TreeMap<>();
            Transaction tx = db.begin();
            for (int i = 0; i < 40; i++) {
              int k = worker * 100_000 + r.nextInt(2000); // each worker its own keys: no conflicts
              byte[] v = new byte[r.nextInt(200)];
              r.nextBytes(v);
              t.put(tx, key(k), v);
              mine.put(new String(key(k), StandardCharsets.UTF_8), v);
            }
            if (r.nextInt(4) == 0) {
              tx.abort();
            } else {
              tx.commit();
              model.putAll(mine);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) f.get();
      pool.shutdown();
      MemoryStats s = db.stats().memory();
      assertThat(s.arenaActiveArenas()).isZero();
      assertThat(s.slabAllocated()).isZero();
      assertThat(s.arenaAllocated()).isPositive();
      assertThat(s.totalAllocated()).isLessThanOrEqualTo(db.options().effectiveMemoryBudget());
      TreeMap<String, byte[]> contents = BTreeRecoveryTest.contents(t);
      assertThat(contents.keySet()).isEqualTo(new TreeMap<>(model).keySet());
      for (var e : model.entrySet()) assertThat(contents.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(t.verify()).isEmpty();
    }
  }
  /**
   * A budget a little above the pool: a transaction whose undo payloads need a second slab region makes the
   * budget ask the pool for frames. With io_uring's registered buffers the pool must refuse (dropping
   * pinned pages made every later read of those frames see zeros), so that transaction fails alone; with
   * the portable engine the pool shrinks and it commits. Either way every committed row reads back intact.
   */
  @Test
  void aTransactionThatTheBudgetCannotCoverFailsAloneAndNoPageIsLost() {
    int frames = 2048;
    DatabaseOptions opts = DatabaseOptions.builder().poolFrames(frames).walSegmentSize(1 << 22)
        .checkpointInterval(Duration.ZERO).memoryBudgetBytes(frames * 4096L + (6L << 20)).build();
    try (Database db = Database.open(tmp.resolve("db"), opts)) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      int keys = 20_000;
      for (int k = 0; k < keys; k += 100) {
        try (Transaction tx = db.begin()) {
          for (int j = k; j < k + 100; j++) t.put(tx, key(j), new byte[100]);
          tx.commit();
        }
      }
      db.checkpoint(); // every page clean: the pool can give any frame back
      byte[] changed = new byte[100];
      java.util.Arrays.fill(changed, (byte) 1);
      boolean committed;
      try (Transaction big = db.begin()) {
        try {
          for (int round = 0; round < 3; round++) {
            for (int j = 0; j < keys; j++) t.put(big, key(j), changed); // 60,000 undo payloads
          }
          big.commit();
          committed = true;
        } catch (OperationFailedException e) {
          assertThat(e).hasMessageContaining("memory budget");
          committed = false;
        }
      }
      byte[] expected = committed ? changed : new byte[100];
      for (int j = 0; j < keys; j++) assertThat(t.get(key(j))).as("key %d (committed: %s)", j, committed).isEqualTo(expected);
      assertThat(t.verify()).isEmpty();
      assertThat(db.stats().memory().totalAllocated()).isLessThanOrEqualTo(opts.effectiveMemoryBudget());
      try (Transaction after = db.begin()) { // the database goes on
        t.put(after, key(keys), "after".getBytes(StandardCharsets.UTF_8));
        after.commit();
      }
      assertThat(t.get(key(keys))).isEqualTo("after".getBytes(StandardCharsets.UTF_8));
      System.out.println("io engine " + db.ioEngineName() + ", big transaction committed: " + committed);
    }
  }
}
