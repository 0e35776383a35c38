package org.rustydb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;

/**
 * The contract every binding passes through the {@code site.ycsb.DB} interface: random inserts, reads,
 * partial updates, ordered scans and deletes checked against a TreeMap model, then a close and reopen.
 * Seeded; {@code -Dycsb.seed=N} reproduces a run.
 */
class BindingContractTest {

  @TempDir Path dir;

  private static final String T = "usertable";

  private DB open(YcsbEngine engine, YcsbDurability durability, int threads) throws Exception {
    Properties p = new Properties();
    new StoreSettings(dir.resolve(engine.cliName()), durability, 4, threads).putInto(p);
    DB db = engine.newBinding();
    db.setProperties(p);
    db.init();
    return db;
  }

  private static Map<String, ByteIterator> record(Map<String, String> fields) {
    Map<String, ByteIterator> m = new LinkedHashMap<>();
    fields.forEach((k, v) -> m.put(k, new ByteArrayByteIterator(v.getBytes(StandardCharsets.UTF_8))));
    return m;
  }

  private static Map<String, String> strings(Map<String, ByteIterator> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, new String(v.toArray(), StandardCharsets.UTF_8)));
    return out;
  }

  @ParameterizedTest
  @EnumSource(YcsbEngine.class)
  void behavesLikeASortedMap(YcsbEngine engine) throws Exception {
    long seed = Long.getLong("ycsb.seed", System.nanoTime());
    System.out.println("BindingContractTest " + engine.cliName() + " seed " + seed);
    Random rnd = new Random(seed);
    TreeMap<String, Map<String, String>> model = new TreeMap<>();
    DB db = open(engine, YcsbDurability.NOSYNC, 2);
    DB second = open(engine, YcsbDurability.NOSYNC, 2);  // a second thread's binding shares the store
    try {
      for (int i = 0; i < 300; i++) {
        String key = "user" + rnd.nextInt(1000);
        Map<String, String> fields = Map.of("field0", "v" + rnd.nextInt(), "field1", "w" + i);
        assertThat(db.insert(T, key, record(fields))).isEqualTo(Status.OK);
        model.put(key, fields);
      }
      for (int i = 0; i < 200; i++) {
        String key = "user" + rnd.nextInt(1000);
        DB d = rnd.nextBoolean() ? db : second;
        switch (rnd.nextInt(4)) {
          case 0 -> {
            Map<String, ByteIterator> got = new HashMap<>();
            Status s = d.read(T, key, null, got);
            if (model.containsKey(key)) {
              assertThat(s).isEqualTo(Status.OK);
              assertThat(strings(got)).isEqualTo(model.get(key));
            } else {
              assertThat(s).isEqualTo(Status.NOT_FOUND);
            }
          }
          case 1 -> {
            Status s = d.update(T, key, record(Map.of("field1", "u" + i)));
            if (model.containsKey(key)) {
              assertThat(s).isEqualTo(Status.OK);
              Map<String, String> m = new HashMap<>(model.get(key));
              m.put("field1", "u" + i);
              model.put(key, m);
            } else {
              assertThat(s).isEqualTo(Status.NOT_FOUND);
            }
          }
          case 2 -> {
            Status s = d.delete(T, key);
            assertThat(s).isEqualTo(model.remove(key) != null ? Status.OK : Status.NOT_FOUND);
          }
          default -> {
            int count = 1 + rnd.nextInt(20);
            Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
            assertThat(d.scan(T, key, count, Set.of("field1"), rows)).isEqualTo(Status.OK);
            List<String> expected = new ArrayList<>();
            for (Map<String, String> m : model.tailMap(key, true).values()) {
              if (expected.size() == count) break;
              expected.add(m.get("field1"));
            }
            assertThat(rows.stream().map(r -> {
              assertThat(r.keySet()).containsExactly("field1");
              return new String(r.get("field1").toArray(), StandardCharsets.UTF_8);
            }).toList()).isEqualTo(expected);
          }
        }
      }
    } finally {
      second.cleanup();
      db.cleanup();
    }
    // Reopened, everything is still there (the last cleanup closed the store).
    DB again = open(engine, YcsbDurability.SYNC, 1);
    try {
      Vector<HashMap<String, ByteIterator>> all = new Vector<>();
      assertThat(again.scan(T, "", 10_000, null, all)).isEqualTo(Status.OK);
      assertThat(all.stream().map(BindingContractTest::strings).toList()).isEqualTo(new ArrayList<>(model.values()));
      String first = model.firstKey();
      Map<String, ByteIterator> got = new HashMap<>();
      assertThat(again.read(T, first, Set.of("field0"), got)).isEqualTo(Status.OK);
      assertThat(strings(got)).isEqualTo(Map.of("field0", model.get(first).get("field0")));
      assertThat(again.delete(T, first)).isEqualTo(Status.OK);
      assertThat(again.read(T, first, null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
    } finally {
      again.cleanup();
    }
  }
}
