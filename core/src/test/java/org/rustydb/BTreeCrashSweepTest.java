package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.engine.btree.BTree;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;

/**
 * Sweeps the crash point over every WAL write and fsync of a B+tree workload whose transactions split and
 * merge nodes, write overflow chains and abort, with an 8-frame pool (pages reach the files between
 * commits) and checkpoints: each crash image must recover to the state after the commits acknowledged so
 * far, or one more, with the tree's invariants intact. Torn log writes cut structure changes (system
 * transactions) in the middle, which recovery must undo before the user transactions' logical undo.
 */
class BTreeCrashSweepTest {

  @TempDir Path tmp;

  @Test
  void everyWalIoIsASurvivableCrashPointForTheBTree() {
    long seed = BTreeRecoveryTest.seed("btree.sweep.seed");
    Random r = new Random(seed);
    Path dir = tmp.resolve("db");
    SweepingWalFiles sweeping = new SweepingWalFiles(dir, tmp);
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(8).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).walFiles(sweeping).build();
    List<TreeMap<String, byte[]>> states = new ArrayList<>();
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (Database db = Database.open(dir, o)) {
      BTree t = BTreeRecoveryTest.tree(db, "t");
      states.add(new TreeMap<>(model));
      sweeping.armed.set(true);
      for (int i = 0; i < 24; i++) {
        TreeMap<String, byte[]> next = new TreeMap<>(model);
        Transaction tx = db.begin();
        for (int j = 0; j < 12; j++) {
          int k = r.nextInt(400);
          String key = new String(BTreeRecoveryTest.key(k), StandardCharsets.UTF_8);
          if (r.nextInt(4) == 0) {
            t.delete(tx, BTreeRecoveryTest.key(k));
            next.remove(key);
          } else {
            byte[] v = BTreeRecoveryTest.value(r, k);
            t.put(tx, BTreeRecoveryTest.key(k), v);
            next.put(key, v);
          }
        }
        if (i % 5 == 3) {
          tx.abort();
          continue;
        }
        tx.commit(Durability.SYNC);
        model = next;
        states.add(new TreeMap<>(model));
        sweeping.acked.incrementAndGet();
        if (i % 9 == 8) db.checkpoint();
      }
      sweeping.armed.set(false);
    }
    List<SweepingWalFiles.Image> images = sweeping.images();
    System.out.println("BTreeCrashSweepTest: " + images.size() + " crash points");
    assertThat(images.size()).isGreaterThan(30);
    for (SweepingWalFiles.Image img : images) {
      try (Database db = Database.open(img.dir(), DatabaseOptions.builder().poolFrames(8).walSegmentSize(1 << 20)
          .checkpointInterval(Duration.ZERO).build())) {
        BTree t = BTreeRecoveryTest.tree(db, "t");
        TreeMap<String, byte[]> actual = BTreeRecoveryTest.contents(t);
        TreeMap<String, byte[]> before = states.get(img.acked());
        TreeMap<String, byte[]> after = states.get(Math.min(img.acked() + 1, states.size() - 1));
        String as = "crash image " + img.dir().getFileName() + " after " + img.acked() + " acknowledged commits";
        if (!same(actual, before) && !same(actual, after)) {
          assertThat(describe(actual)).as(as).isIn(describe(before), describe(after));
        }
        assertThat(t.verify()).as(as).isEmpty();
      }
    }
  }

  /** Keys with a short digest of each value, for a readable failure. */
  private static TreeMap<String, String> describe(TreeMap<String, byte[]> m) {
    TreeMap<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.length + ":" + java.util.Arrays.hashCode(v)));
    return out;
  }

  private static boolean same(TreeMap<String, byte[]> a, TreeMap<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) return false;
    for (var e : a.entrySet()) if (!java.util.Arrays.equals(e.getValue(), b.get(e.getKey()))) return false;
    return true;
  }
}
