package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rustydb.CorruptionException;
import org.rustydb.testing.Seeds;

class PageDiffTest {

  private static final int PAGE = PageLayout.PAGE_SIZE;

  @Test
  void redoTurnsBeforeIntoAfterAndUndoTurnsItBack() {
    long seed = Seeds.of("PageDiffTest", "pagediff.seed");
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
  void rangesAreExactlyThoseOfAByteByByteScan() {
    long seed = Seeds.of("PageDiffTest", "pagediff.seed");
    Random r = new Random(seed);
    for (int round = 0; round < 2000; round++) {
      byte[] before = new byte[PAGE];
      r.nextBytes(before);
      byte[] after = before.clone();
      for (int c = r.nextInt(12); c >= 0; c--) {
        // dense runs, sparse runs (every k-th byte, k around the gap) and runs that reach the page end
        int at = r.nextBoolean() ? r.nextInt(PAGE) : PAGE - 1 - r.nextInt(24);
        int len = Math.min(PAGE - at, 1 + r.nextInt(r.nextBoolean() ? 16 : 1200));
        int step = r.nextInt(4) == 0 ? 1 + r.nextInt(PageDiff.GAP + 2) : 1;
        for (int i = at; i < at + len; i += step) after[i] = (byte) (before[i] + 1 + r.nextInt(255));
      }
      byte[][] d = PageDiff.diff(MemorySegment.ofArray(before), MemorySegment.ofArray(after), 0);
      assertThat(ranges(d == null ? null : d[0])).as("round %d", round).isEqualTo(byteByByteRanges(before, after));
    }
  }

  /** The model: a range ends after its last differing byte once GAP equal bytes (or the page end) follow. */
  private static java.util.List<Integer> byteByByteRanges(byte[] a, byte[] b) {
    java.util.List<Integer> out = new java.util.ArrayList<>();
    int i = 0;
    while (i < PAGE) {
      if (a[i] == b[i]) {
        i++;
        continue;
      }
      int start = i;
      int end = i + 1;
      for (int j = end, equal = 0; j < PAGE && equal < PageDiff.GAP; j++) {
        if (a[j] == b[j]) {
          equal++;
        } else {
          equal = 0;
          end = j + 1;
        }
      }
      out.add(start);
      out.add(end - start);
      i = end;
    }
    return out;
  }

  private static java.util.List<Integer> ranges(byte[] payload) {
    java.util.List<Integer> out = new java.util.ArrayList<>();
    if (payload == null) return out;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int n = Short.toUnsignedInt(b.getShort(0));
    int at = 2;
    for (int k = 0; k < n; k++) {
      int len = Short.toUnsignedInt(b.getShort(at + 2));
      out.add(Short.toUnsignedInt(b.getShort(at)));
      out.add(len);
      at += 4 + len;
    }
    return out;
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

  /**
   * The image's hole (read eight bytes at a time) is the first longest run of zeros, as a byte-by-byte scan
   * finds it, on pages of random runs of zeros and of bytes that are mostly not zero (so words with and
   * without a zero byte meet runs at every alignment).
   */
  @Test
  void theImageHoleIsTheFirstLongestZeroRun() {
    long seed = System.nanoTime();
    System.out.println("theImageHoleIsTheFirstLongestZeroRun seed " + seed);
    Random r = new Random(seed);
    for (int round = 0; round < 2000; round++) {
      byte[] page = new byte[PAGE];
      for (int i = 0; i < PAGE; ) {
        int run = 1 + r.nextInt(r.nextBoolean() ? 20 : 300);
        boolean zero = r.nextInt(3) == 0;
        for (int j = i; j < Math.min(PAGE, i + run); j++) page[j] = zero ? 0 : (byte) (r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(255));
        i += run;
      }
      int bestStart = 0;
      int bestLen = 0;
      for (int i = 0; i < PAGE; ) {
        int j = i;
        while (j < PAGE && page[j] == 0) j++;
        if (j - i > bestLen) {
          bestStart = i;
          bestLen = j - i;
        }
        i = Math.max(j, i + 1);
      }
      if (bestLen == PAGE) bestLen = PAGE - 1; // as the format keeps one byte of an all-zero page
      byte[] image = PageDiff.image(page, 0);
      MemorySegment im = MemorySegment.ofArray(image);
      var u16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
      assertThat(Short.toUnsignedInt(im.get(u16, 0))).as("seed %d round %d: hole start", seed, round).isEqualTo(bestStart);
      assertThat(Short.toUnsignedInt(im.get(u16, 2))).as("seed %d round %d: hole length", seed, round).isEqualTo(bestLen);
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
    long seed = Seeds.of("PageDiffTest", "pagediff.seed");
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
