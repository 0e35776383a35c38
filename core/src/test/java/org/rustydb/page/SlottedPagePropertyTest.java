package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.rustydb.testing.Seeds;

/**
 * Random insert/update/delete/compact sequences checked after every step against a model: a list of byte
 * arrays indexed by slot id (null = deleted). Reproduce a failure with -Drustydb.seed=N.
 */
class SlottedPagePropertyTest {

  @RepeatedTest(40)
  void randomOperationsMatchTheModel(RepetitionInfo info) {
    long seed = Seeds.of("SlottedPagePropertyTest", "rustydb.seed");
    Random rnd = new Random(seed);
    MemorySegment seg = MemorySegment.ofArray(new byte[PageLayout.PAGE_SIZE]);
    SlottedPage page = new SlottedPage().wrap(seg).format(1L << 40, PageType.HEAP);
    List<byte[]> model = new ArrayList<>();

    for (int step = 0; step < 2000; step++) {
      String what = "seed " + seed + " step " + step;
      int op = rnd.nextInt(10);
      if (op < 5) {
        byte[] t = randomTuple(rnd);
        byte[] before = seg.toArray(ValueLayout.JAVA_BYTE);
        int expectRoom = page.maxInsertSize();
        int slot = page.insert(t);
        if (slot == SlottedPage.PAGE_FULL) {
          assertThat(t.length).as(what).isGreaterThan(expectRoom);
          assertThat(Arrays.equals(seg.toArray(ValueLayout.JAVA_BYTE), before)).as(what + ": unchanged on PAGE_FULL").isTrue();
        } else {
          assertThat(t.length).as(what).isLessThanOrEqualTo(expectRoom);
          int firstFree = model.indexOf(null);
          assertThat(slot).as(what + ": reuses the first tombstone").isEqualTo(firstFree >= 0 ? firstFree : model.size());
          if (slot == model.size()) model.add(t); else model.set(slot, t);
        }
      } else if (op < 7) {
        int slot = liveSlot(model, rnd);
        if (slot < 0) continue;
        byte[] t = randomTuple(rnd);
        byte[] before = seg.toArray(ValueLayout.JAVA_BYTE);
        int room = page.usableSpace() + model.get(slot).length;
        int r = page.update(slot, t);
        if (r == SlottedPage.PAGE_FULL) {
          assertThat(t.length).as(what).isGreaterThan(room);
          assertThat(Arrays.equals(seg.toArray(ValueLayout.JAVA_BYTE), before)).as(what + ": unchanged on PAGE_FULL").isTrue();
        } else {
          assertThat(r).isEqualTo(slot);
          model.set(slot, t);
        }
      } else if (op < 9) {
        int slot = liveSlot(model, rnd);
        if (slot < 0) continue;
        page.delete(slot);
        model.set(slot, null);
        while (!model.isEmpty() && model.getLast() == null) model.removeLast();
      } else {
        page.compact();
        assertThat(page.freeSpace()).as(what).isEqualTo(page.usableSpace());
      }
      check(page, model, what);
    }
  }

  private static void check(SlottedPage page, List<byte[]> model, String what) {
    assertThat(page.problem()).as(what).isNull();
    assertThat(page.slotCount()).as(what).isEqualTo(model.size());
    int liveBytes = 0;
    for (int s = 0; s < model.size(); s++) {
      byte[] expected = model.get(s);
      assertThat(page.isLive(s)).as(what + " slot " + s).isEqualTo(expected != null);
      if (expected != null) {
        assertThat(page.read(s)).as(what + " slot " + s).isEqualTo(expected);
        liveBytes += expected.length;
      }
    }
    assertThat(page.usableSpace()).as(what).isEqualTo(4096 - 32 - 4 * model.size() - liveBytes);
    assertThat(page.freeSpace()).as(what).isLessThanOrEqualTo(page.usableSpace()).isNotNegative();
  }

  private static int liveSlot(List<byte[]> model, Random rnd) {
    if (model.isEmpty()) return -1;
    int start = rnd.nextInt(model.size());
    for (int i = 0; i < model.size(); i++) {
      int s = (start + i) % model.size();
      if (model.get(s) != null) return s;
    }
    return -1;
  }

  private static byte[] randomTuple(Random rnd) {
    int len = switch (rnd.nextInt(4)) {
      case 0 -> rnd.nextInt(8);
      case 1 -> rnd.nextInt(100);
      case 2 -> rnd.nextInt(600);
      default -> rnd.nextInt(2500);
    };
    byte[] t = new byte[len];
    rnd.nextBytes(t);
    return t;
  }
}
