package org.rustydb.engine.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.CrashImages;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.testing.Seeds;
import org.rustydb.txn.Transaction;

/** Seeded random inserts, updates and deletes in committed and aborted transactions against a TreeMap. */
class HeapTableModelTest {

  @TempDir Path tmp;

  @Test
  void matchesModelAcrossReopensAndCrashes() {
    long seed = Seeds.of("HeapTableModelTest", "seed");
    Random rnd = new Random(seed);
    TreeMap<Long, String> model = new TreeMap<>();
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(16).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).build();
    Path dir = tmp.resolve("db0");
    for (int round = 0; round < 6; round++) {
      Database db = Database.open(dir, o);
      HeapTable t = db.heapTable("m");
      check(t, model, "after open in round " + round + " seed " + seed);
      for (int n = 0; n < 60; n++) {
        Transaction tx = db.begin();
        Map<Long, String> mine = new HashMap<>(); // value or null (deleted)
        int ops = 1 + rnd.nextInt(6);
        for (int i = 0; i < ops; i++) {
          int op = rnd.nextInt(10);
          List<Long> keys = new ArrayList<>(model.keySet());
          keys.addAll(mine.keySet());
          if (op < 5 || keys.isEmpty()) {
            String v = "r" + round + "t" + n + "i" + i + "-" + "x".repeat(rnd.nextInt(300));
            mine.put(t.insert(tx, v.getBytes()), v);
          } else {
            long rid = keys.get(rnd.nextInt(keys.size()));
            boolean exists = mine.containsKey(rid) ? mine.get(rid) != null : model.containsKey(rid);
            if (op < 8) {
              String v = "u" + round + "-" + n + "-" + "y".repeat(rnd.nextInt(200));
              try {
                assertThat(t.update(tx, rid, v.getBytes())).isEqualTo(exists);
                if (exists) mine.put(rid, v);
              } catch (OperationFailedException full) {
                assertThat(full).hasMessageContaining("no room"); // nothing changed
              }
            } else {
              assertThat(t.delete(tx, rid)).isEqualTo(exists);
              if (exists) mine.put(rid, null);
            }
          }
        }
        if (rnd.nextInt(4) == 0) {
          tx.abort();
        } else {
          tx.commit();
          mine.forEach((k, v) -> {
            if (v == null) model.remove(k); else model.put(k, v);
          });
        }
        if (n % 20 == 0) check(t, model, "round " + round + " txn " + n + " seed " + seed);
        if (n == 30 && round % 2 == 1) db.checkpoint();
      }
      check(t, model, "end of round " + round + " seed " + seed);
      if (round % 2 == 0) {
        db.close();
      } else {
        Path next = tmp.resolve("db" + (round + 1));
        CrashImages.copy(dir, next); // crash: the copy is what a kill -9 now would leave
        db.close();
        dir = next;
      }
    }
  }

  private static void check(HeapTable t, TreeMap<Long, String> model, String where) {
    TreeMap<Long, String> actual = new TreeMap<>();
    t.scan((rid, v) -> actual.put(rid, new String(v)));
    assertThat(actual).as(where).isEqualTo(model);
    for (var e : model.entrySet()) assertThat(new String(t.get(e.getKey()))).as(where).isEqualTo(e.getValue());
  }
}
