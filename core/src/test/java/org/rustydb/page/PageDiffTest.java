package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rustydb.CorruptionException;

class PageDiffTest {

  private static final int PAGE = PageLayout.PAGE_SIZE;

  @Test
  void redoTurnsBeforeIntoAfterAndUndoTurnsItBack() {
    long seed = Long.getLong("pagediff.seed", new Random().nextLong());
    System.out.println("pagediff.seed=" + seed);
    Random r = new Random(seed);
    for (int round = 0; round < 500; round++) {
      byte[] before = new byte[PAGE];
      r.nextBytes(before);
      byte[] after = before.clone();
      int changes = r.nextInt(20);
      for (int c = 0; c < changes; c++) {
        int at = r.nextInt(PAGE);
        int len = Math.min(PAGE - at, 1 + r.nextInt(r.nextBoolean() ? 4 : 600));
        for (int i = at; i < at + len; i++) after[i] = (byte) r.nextInt();
      }
      byte[][] d = PageDiff.diff(before, after, 3);
      if (Arrays.equals(before, after)) {
        assertThat(d).isNull();
        continue;
      }
      MemorySegment page = MemorySegment.ofArray(before.clone());
      PageDiff.apply(d[0], 3, page);
      assertThat(page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as("round %d", round).isEqualTo(after);
      PageDiff.apply(d[1], 3, page);
      assertThat(page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as("round %d", round).isEqualTo(before);
      assertThat(d[0].length).isLessThanOrEqualTo(3 + 2 + PAGE + 4 * (changes + 1));
    }
  }

  @Test
  void aSmallChangeGivesASmallDiffAndEqualPagesNone() {
    byte[] before = new byte[PAGE];
    byte[] after = before.clone();
    after[100] = 1;
    after[103] = 2; // within the gap: one range
    after[4000] = 3;
    byte[][] d = PageDiff.diff(before, after, 0);
    assertThat(d[0].length).isEqualTo(2 + (4 + 4) + (4 + 1));
    assertThat(PageDiff.diff(before, before.clone(), 0)).isNull();
  }

  @Test
  void imagesLeaveOutTheLongestZeroRun() {
    Random r = new Random(7);
    for (int hole : new int[] {0, 1, 100, 4000, PAGE}) {
      byte[] page = new byte[PAGE];
      r.nextBytes(page);
      for (int i = 0; i < PAGE; i++) if (page[i] == 0) page[i] = 1;
      int start = hole == PAGE ? 0 : r.nextInt(PAGE - hole);
      Arrays.fill(page, start, start + hole, (byte) 0);
      byte[] image = PageDiff.image(page, 1);
      assertThat(image.length).isEqualTo(1 + 4 + PAGE - Math.min(hole, PAGE - 1));
      MemorySegment out = MemorySegment.ofArray(new byte[PAGE]);
      out.fill((byte) 9);
      PageDiff.applyImage(image, 1, out);
      assertThat(out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as("hole %d", hole).isEqualTo(page);
    }
  }

  @Test
  void damagedPayloadsAreCorruptionNotOutOfBounds() {
    byte[] before = new byte[PAGE];
    byte[] after = before.clone();
    after[10] = 1;
    byte[] redo = PageDiff.diff(before, after, 0)[0];
    MemorySegment page = MemorySegment.ofArray(new byte[PAGE]);
    assertThatThrownBy(() -> PageDiff.apply(Arrays.copyOf(redo, redo.length - 1), 0, page))
        .isInstanceOf(CorruptionException.class);
    byte[] far = redo.clone();
    far[2] = (byte) 0xFF; // offset 4095 + length 1..: past the page
    far[3] = (byte) 0x0F;
    far[4] = 2;
    assertThatThrownBy(() -> PageDiff.apply(far, 0, page)).isInstanceOf(CorruptionException.class);
    byte[] image = PageDiff.image(after, 0);
    assertThatThrownBy(() -> PageDiff.applyImage(Arrays.copyOf(image, image.length - 1), 0, page))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("does not make");
  }
}
