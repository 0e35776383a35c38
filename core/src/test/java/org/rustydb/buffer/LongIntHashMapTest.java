package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongIntHashMapTest {

  @Test
  void agreesWithHashMapUnderRandomPutsAndRemoves() {
    long seed = ReplacerContractTest.seed();
    System.out.println("LongIntHashMapTest seed=" + seed + " (rerun with -Dreplacer.seed=" + seed + ")");
    Random rnd = new Random(seed);
    LongIntHashMap map = new LongIntHashMap(500);
    Map<Long, Integer> model = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      long key = rnd.nextInt(4) == 0 ? rnd.nextLong(Long.MAX_VALUE) : rnd.nextInt(2000);
      if (model.size() < 500 && rnd.nextBoolean()) {
        int v = rnd.nextInt(1000);
        map.put(key, v);
        model.put(key, v);
      } else {
        Integer old = model.remove(key);
        assertThat(map.remove(key)).as("seed %d step %d", seed, i).isEqualTo(old == null ? LongIntHashMap.ABSENT : old);
      }
      long probe = rnd.nextInt(2000);
      assertThat(map.get(probe)).as("seed %d step %d", seed, i)
          .isEqualTo(model.getOrDefault(probe, LongIntHashMap.ABSENT));
      assertThat(map.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Long, Integer> e : model.entrySet()) assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
  }
}
