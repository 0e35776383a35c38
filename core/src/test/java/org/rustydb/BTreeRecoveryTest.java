package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.engine.btree.BTree;
import org.rustydb.engine.btree.BTreeCursor;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;

/**
 * The logged B+tree inside a database: transactions that commit and abort against a model (aborts undo
 * logically, after splits and merges moved the keys), reopening, and crash images with a loser transaction
 * whose changes had reached the log and the page files.
 */
class BTreeRecoveryTest {

  @TempDir Path tmp;

  static long seed(String property) {
    long seed = Long.getLong(property, new Random().nextLong());
    System.out.println(property + "=" + seed);
    return seed;
  }

  /** The B+tree under table {@code name}, created when missing. */
  static BTree tree(Database db, String name) {
    boolean exists = db.listTables().stream().anyMatch(t -> t.name().equals(name));
    Table t = exists ? db.openTable(name) : db.createTable(name, TableOptions.defaults());
    return ((BTreeTable) t).tree();
  }

  static DatabaseOptions options(int frames) {
    return DatabaseOptions.builder().poolFrames(frames).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO)
        .build();
  }

  static byte[] key(int k) {
    return String.format("key-%06d", k).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(Random r, int k) {
    // Mostly short; some long inline values (1,120 bytes: three to a leaf) and some out of the leaf, packed
    // into value pages (1,332..2,000 bytes with these 10-byte keys) or in overflow chains. The fixed lengths
    // make some replacements the same length: written over the old value, in the leaf or in its slot.
    int c = r.nextInt(16);
    int len = c < 12 ? r.nextInt(300) : c == 12 ? 1120 : c == 13 ? 1400 : c == 14 ? 1332 + r.nextInt(669)
        : 2001 + r.nextInt(4000);
    byte[] v = new byte[len];
    Arrays.fill(v, (byte) k);
    if (len > 0) v[0] = (byte) r.nextInt();
    return v;
  }

  static TreeMap<String, byte[]> contents(BTree t) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    try (BTreeCursor c = t.cursor(null, null, false)) {
      while (c.next()) out.put(new String(c.key(), StandardCharsets.UTF_8), c.value());
    }
    return out;
  }

  static void assertSame(BTree t, TreeMap<String, byte[]> model, String as) {
    TreeMap<String, byte[]> actual = contents(t);
    assertThat(actual.keySet()).as(as).containsExactlyElementsOf(model.keySet());
    for (var e : model.entrySet()) assertThat(actual.get(e.getKey())).as(as + " key " + e.getKey()).isEqualTo(e.getValue());
    assertThat(t.verify()).as(as).isEmpty();
  }

  /** Random transactions of puts and deletes; about a third abort. Returns the committed state. */
  static TreeMap<String, byte[]> workload(Database db, BTree t, Random r, int txns, int keySpace,
      TreeMap<String, byte[]> model) {
    for (int i = 0; i < txns; i++) {
      TreeMap<String, byte[]> next = new TreeMap<>(model);
      Transaction tx = db.begin();
      int ops = 1 + r.nextInt(25);
      for (int j = 0; j < ops; j++) {
        int k = r.nextInt(keySpace);
        if (r.nextInt(3) == 0) {
          boolean had = t.delete(tx, key(k));
          assertThat(had).isEqualTo(next.remove(new String(key(k), StandardCharsets.UTF_8)) != null);
        } else {
          byte[] v = value(r, k);
          t.put(tx, key(k), v);
          next.put(new String(key(k), StandardCharsets.UTF_8), v);
        }
      }
      if (r.nextInt(3) == 0) {
        tx.abort();
      } else {
        tx.commit(Durability.NO_SYNC);
        model = next;
      }
    }
    return model;
  }

  @Test
  void abortsUndoLogicallyAfterSplitsAndMergesAndReopenKeepsCommits() {
    Random r = new Random(seed("btree.recovery.seed"));
    Path dir = tmp.resolve("db");
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (Database db = Database.open(dir, options(48))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      for (int round = 0; round < 6; round++) {
        model = workload(db, t, r, 60, 1500, model);
        assertSame(t, model, "round " + round);
      }
      assertThat(t.height()).isGreaterThanOrEqualTo(2);
    }
    try (Database db = Database.open(dir, options(48))) {
      assertSame(BTreeRecoveryTest.tree(db, "t"), model, "after reopen");
    }
  }

  @Test
  void aRollbackRestoresKeysThatASplitMovedToAnotherLeaf() {
    try (Database db = Database.open(tmp.resolve("db"), options(64))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      Transaction base = db.begin();
      for (int k = 0; k < 20; k += 2) t.put(base, key(k), "old".getBytes());
      base.commit();
      int height = t.height();
      Transaction tx = db.begin();
      for (int k = 0; k < 20; k += 2) t.put(tx, key(k), ("new" + k).getBytes());
      for (int k = 1; k < 4000; k += 2) t.put(tx, key(k), new byte[100]); // many splits move the old keys
      assertThat(t.height()).isGreaterThan(height);
      tx.abort();
      TreeMap<String, byte[]> model = new TreeMap<>();
      for (int k = 0; k < 20; k += 2) model.put(new String(key(k), StandardCharsets.UTF_8), "old".getBytes());
      assertSame(t, model, "after abort");
    }
  }

  @Test
  void writersConflictOnAKeyUntilTheHolderEnds() {
    try (Database db = Database.open(tmp.resolve("db"), options(64))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      Transaction a = db.begin();
      Transaction b = db.begin();
      t.put(a, key(1), "a".getBytes());
      assertThatThrownBy(() -> t.put(b, key(1), "b".getBytes())).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("write conflict");
      assertThatThrownBy(() -> t.delete(b, key(1))).isInstanceOf(OperationFailedException.class);
      t.put(b, key(2), "b".getBytes()); // b goes on with other keys
      a.commit();
      t.put(b, key(1), "b".getBytes());
      b.commit();
      assertThat(t.get(key(1))).isEqualTo("b".getBytes());
      assertThat(t.get(key(2))).isEqualTo("b".getBytes());
    }
  }

  @Test
  void aCrashImageRollsBackTheLoserAndKeepsEveryCommit() {
    Random r = new Random(seed("btree.crash.seed"));
    Path dir = tmp.resolve("db");
    TreeMap<String, byte[]> model = new TreeMap<>();
    int images = 0;
    try (Database db = Database.open(dir, options(32))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      for (int round = 0; round < 4; round++) {
        model = workload(db, t, r, 40, 3000, model);
        Transaction loser = db.begin();
        for (int j = 0; j < 300; j++) {
          int k = r.nextInt(3000);
          if (j % 4 == 0) t.delete(loser, key(k)); else t.put(loser, key(k), value(r, k));
        }
        Transaction flusher = db.begin(); // its SYNC commit makes the loser's records durable too
        t.put(flusher, key(999_999), ("round" + round).getBytes());
        flusher.commit(Durability.SYNC);
        model.put(new String(key(999_999), StandardCharsets.UTF_8), ("round" + round).getBytes());
        if (round == 2) db.checkpoint(); // a checkpoint with the loser active
        Path image = tmp.resolve("image" + round);
        CrashImages.copy(dir, image);
        images++;
        loser.abort();
        try (Database crashed = Database.open(image, options(32))) {
          assertSame(BTreeRecoveryTest.tree(crashed, "t"), model, "crash image " + round);
          assertThat(crashed.recoveryReport().losers()).isGreaterThanOrEqualTo(1);
        }
        try (Database again = Database.open(image, options(32))) { // recovery's own work survives a reopen
          assertSame(BTreeRecoveryTest.tree(again, "t"), model, "crash image " + round + " reopened");
        }
      }
    }
    assertThat(images).isEqualTo(4);
  }

  @Test
  void concurrentTransactionsSplitMergeAndAbortWithoutDeadlockOrLoss() throws Exception {
    long seed = seed("btree.concurrent.seed");
    int threads = 4;
    Path dir = tmp.resolve("db");
    java.util.List<TreeMap<String, byte[]>> models = new java.util.ArrayList<>();
    try (Database db = Database.open(dir, options(64))) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      java.util.List<java.util.concurrent.Future<TreeMap<String, byte[]>>> futures = new java.util.ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int id = w;
        futures.add(pool.submit(() -> {
          Random r = new Random(seed + id);
          TreeMap<String, byte[]> model = new TreeMap<>();
          for (int i = 0; i < 150; i++) {
            TreeMap<String, byte[]> next = new TreeMap<>(model);
            Transaction tx = db.begin();
            for (int j = 0; j < 10; j++) {
              int k = r.nextInt(800) * threads + id; // each thread its own keys, interleaved in the tree
              String ks = new String(key(k), StandardCharsets.UTF_8);
              if (r.nextInt(3) == 0) {
                t.delete(tx, key(k));
                next.remove(ks);
              } else {
                byte[] v = value(r, k);
                t.put(tx, key(k), v);
                next.put(ks, v);
              }
            }
            if (r.nextInt(4) == 0) {
              tx.abort();
            } else {
              tx.commit(Durability.NO_SYNC);
              model = next;
            }
          }
          return model;
        }));
      }
      for (var f : futures) models.add(f.get(3, java.util.concurrent.TimeUnit.MINUTES));
      pool.shutdown();
      TreeMap<String, byte[]> all = new TreeMap<>();
      models.forEach(all::putAll);
      assertSame(t, all, "after the concurrent run");
    }
  }

  /**
   * Putting the value a key already has changes no byte of the leaf: nothing is logged, and a rollback of
   * such puts (over a real change) restores the value before the transaction, in normal operation and
   * after a crash.
   */
  @Test
  void puttingTheSameValueAgainIsANoOpThatRollsBackCleanly() {
    Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir, options(64))) {
      BTree t = tree(db, "t");
      Transaction base = db.begin();
      t.put(base, key(1), "v".getBytes());
      t.put(base, key(2), "w".getBytes());
      base.commit();
      Transaction same = db.begin();
      assertThat(t.put(same, key(1), "v".getBytes())).isFalse(); // identical: no log record
      same.commit();
      Transaction tx = db.begin();
      t.put(tx, key(2), "changed".getBytes());
      t.put(tx, key(2), "changed".getBytes()); // identical to what tx itself wrote
      t.put(tx, key(1), "v".getBytes());
      tx.abort();
      assertThat(t.get(key(1))).isEqualTo("v".getBytes());
      assertThat(t.get(key(2))).isEqualTo("w".getBytes());
      Transaction loser = db.begin();
      t.put(loser, key(2), "lost".getBytes());
      t.put(loser, key(2), "lost".getBytes());
      Transaction flusher = db.begin();
      t.put(flusher, key(3), "x".getBytes());
      flusher.commit(Durability.SYNC);
      CrashImages.copy(dir, tmp.resolve("image"));
      loser.abort();
    }
    try (Database db = Database.open(tmp.resolve("image"), options(64))) {
      BTree t = tree(db, "t");
      assertThat(t.get(key(1))).isEqualTo("v".getBytes());
      assertThat(t.get(key(2))).isEqualTo("w".getBytes());
      assertThat(t.get(key(3))).isEqualTo("x".getBytes());
      assertThat(t.verify()).isEmpty();
    }
  }
  /**
   * A value replaced by one of the same length is written over the old one, in the leaf (1,120 bytes) or in
   * its value page's slot (1,400), logged as the user's change of that page: a rollback, a second
   * replacement in the same transaction, and a crash with the replacing transaction a loser all give back
   * the committed value.
   */
  @Test
  void aSameLengthReplacementRollsBackAndRecoversInTheLeafAndInAValuePage() {
    for (int len : new int[] {1120, 1400}) {
      Path dir = tmp.resolve("db" + len);
      Path image = tmp.resolve("image" + len);
      byte[] committed = filled(len, 'c');
      try (Database db = Database.open(dir, options(64))) {
        BTree t = tree(db, "t");
        Transaction base = db.begin();
        for (int k = 0; k < 20; k++) t.put(base, key(k), k == 5 ? committed : filled(len, 'a' + k));
        base.commit();
        Transaction ten = db.begin();
        long walBefore = db.stats().wal().bytesAppended();
        for (int k = 0; k < 20; k++) {
          byte[] v = t.get(key(k));
          Arrays.fill(v, 100, 110, (byte) 't');
          t.put(ten, key(k), v);
        }
        // redo and undo each carry the ten changed bytes (not the cell, the page or the old value)
        assertThat(db.stats().wal().bytesAppended() - walBefore).as("length %d", len).isLessThan(20L * 200);
        ten.abort();
        Transaction tx = db.begin();
        assertThat(t.put(tx, key(5), filled(len, 'x'))).isFalse();
        assertThat(t.get(tx, key(5))).isEqualTo(filled(len, 'x'));
        assertThat(t.get(key(5))).as("others read the committed value").isEqualTo(committed);
        t.put(tx, key(5), filled(len, 'y'));
        tx.abort();
        assertThat(t.get(key(5))).as("length %d", len).isEqualTo(committed);
        Transaction loser = db.begin();
        t.put(loser, key(5), filled(len, 'z'));
        t.put(loser, key(6), filled(len, 'z'));
        Transaction flusher = db.begin(); // its SYNC commit makes the loser's records durable too
        t.put(flusher, key(7), filled(len, 'f'));
        flusher.commit(Durability.SYNC);
        CrashImages.copy(dir, image);
        loser.abort();
      }
      try (Database db = Database.open(image, options(64))) {
        BTree t = tree(db, "t");
        assertThat(db.recoveryReport().losers()).isEqualTo(1);
        assertThat(t.get(key(5))).as("length %d", len).isEqualTo(committed);
        assertThat(t.get(key(6))).isEqualTo(filled(len, 'a' + 6));
        assertThat(t.get(key(7))).isEqualTo(filled(len, 'f'));
        assertThat(t.verify()).isEmpty();
      }
    }
  }

  private static byte[] filled(int length, int b) {
    byte[] v = new byte[length];
    Arrays.fill(v, (byte) b);
    return v;
  }
}
