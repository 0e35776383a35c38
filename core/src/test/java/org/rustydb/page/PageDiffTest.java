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
  /** The off-heap variants give the same payload bytes as the array ones (log records must not change). */
  @Test
  void segmentVariantsMatchTheArrayVariantsByteForByte() {
    long seed = Long.getLong("pagediff.seed", new Random().nextLong());
    System.out.println("pagediff.seed=" + seed);
    Random r = new Random(seed);
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      MemorySegment b = arena.allocate(PAGE);
      MemorySegment a = arena.allocate(PAGE);
      for (int round = 0; round < 500; round++) {
        byte[] before = new byte[PAGE];
        if (r.nextBoolean()) r.nextBytes(before); // else a zero page with a few runs
        byte[] after = before.clone();
        int changes = r.nextInt(20);
        for (int c = 0; c < changes; c++) {
          int at = r.nextInt(PAGE);
          int len = Math.min(PAGE - at, 1 + r.nextInt(r.nextBoolean() ? 4 : 600));
          for (int i = at; i < at + len; i++) after[i] = (byte) (r.nextInt(3) == 0 ? 0 : r.nextInt());
        }
        MemorySegment.copy(before, 0, b, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, PAGE);
        MemorySegment.copy(after, 0, a, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, PAGE);
        byte[][] expected = PageDiff.diff(before, after, 1);
        byte[][] got = PageDiff.diff(b, a, 1);
        if (expected == null) {
          assertThat(got).as("round %d", round).isNull();
        } else {
          assertThat(got[0]).as("redo, round %d", round).isEqualTo(expected[0]);
          assertThat(got[1]).as("undo, round %d", round).isEqualTo(expected[1]);
        }
        assertThat(PageDiff.image(a, 1)).as("image, round %d", round).isEqualTo(PageDiff.image(after, 1));
      }
      assertThat(PageDiff.image(arena.allocate(PAGE), 0)).isEqualTo(PageDiff.image(new byte[PAGE], 0));
      assertThatThrownBy(() -> PageDiff.diff(b, a.asSlice(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
