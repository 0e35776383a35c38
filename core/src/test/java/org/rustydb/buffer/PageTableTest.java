package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rustydb.disk.PageId;
import org.rustydb.testing.Seeds;

class PageTableTest {

  @Test
  void randomPutsAndRemovesMatchAHashMap() {
    long seed = Seeds.of("PageTableTest", "pagetable.seed");
    SplittableRandom rnd = new SplittableRandom(seed);
    int frames = 64;
    PageTable t = new PageTable(frames);
    assertThat(t.capacity()).isEqualTo(128);
    Map<Long, Integer> model = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      // few files, few pages: many collisions and long clusters, so deletion's shifting is exercised
      long id = PageId.of(1 + rnd.nextInt(3), rnd.nextInt(60));
      if (model.containsKey(id)) {
        assertThat(t.remove(id)).as("seed %d", seed).isEqualTo(model.remove(id));
      } else if (model.size() < frames) {
        int frame = rnd.nextInt(frames);
        t.put(id, frame, "frame " + frame + " of " + id); // the object must move with its key when slots shift
        model.put(id, frame);
      }
      long probe = PageId.of(1 + rnd.nextInt(3), rnd.nextInt(60));
      assertThat(t.get(probe)).as("seed %d", seed).isEqualTo(model.getOrDefault(probe, PageTable.ABSENT));
      Integer f = model.get(probe);
      assertThat(t.getRef(probe)).as("seed %d", seed).isEqualTo(f == null ? null : "frame " + f + " of " + probe);
      assertThat(t.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Long, Integer> e : model.entrySet()) assertThat(t.get(e.getKey())).isEqualTo(e.getValue());
  }

  @Test
  void misuseIsRefused() {
    PageTable t = new PageTable(16);
    t.put(PageId.of(1, 1), 3);
    assertThatThrownBy(() -> t.put(PageId.of(1, 1), 4)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.put(0, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThat(t.remove(PageId.of(1, 2))).isEqualTo(PageTable.ABSENT);
    for (int i = 2; i <= 24; i++) t.put(PageId.of(1, i), i % 16);
    assertThatThrownBy(() -> t.put(PageId.of(2, 0), 0)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("three-quarters full");
  }
}
