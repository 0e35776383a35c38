package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class PageChecksumTest {

  private static MemorySegment samplePage(Arena arena) {
    MemorySegment seg = arena.allocate(PageLayout.PAGE_SIZE, 4096);
    SlottedPage page = new SlottedPage().wrap(seg).format(42, PageType.HEAP);
    page.insert("hello".getBytes());
    page.setLsn(777);
    return seg;
  }

  @Test
  void checksumIsCrc32cOfThePageWithTheFieldZeroed() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = samplePage(arena);
      seg.set(PageLayout.U32, PageLayout.CHECKSUM_OFFSET, 0xDEADBEEF);
      byte[] copy = seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      for (int i = 16; i < 20; i++) copy[i] = 0;
      CRC32C crc = new CRC32C();
      crc.update(copy);
      assertThat(PageChecksum.compute(seg)).isEqualTo((int) crc.getValue());
    }
  }

  @Test
  void stampThenVerifyAndEveryFlippedBitIsCaught() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = samplePage(arena);
      PageChecksum.stamp(seg);
      assertThat(PageChecksum.verify(seg)).isTrue();
      for (int offset : new int[] {0, 8, 16, 19, 20, 31, 32, 2000, 4095}) {
        byte b = seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset);
        seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, offset, (byte) (b ^ 0x10));
        assertThat(PageChecksum.verify(seg)).as("flip at %d", offset).isFalse();
        seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, offset, b);
      }
      assertThat(PageChecksum.verify(seg)).isTrue();
    }
  }

  @Test
  void heapAndOffHeapPagesGiveTheSameChecksum() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment off = samplePage(arena);
      MemorySegment on = MemorySegment.ofArray(off.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
      assertThat(PageChecksum.compute(on)).isEqualTo(PageChecksum.compute(off));
    }
  }

  @Test
  void allZeroPagesAreRecognised() {
    MemorySegment zero = MemorySegment.ofArray(new byte[PageLayout.PAGE_SIZE]);
    assertThat(PageChecksum.isAllZero(zero)).isTrue();
    zero.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4095, (byte) 1);
    assertThat(PageChecksum.isAllZero(zero)).isFalse();
  }

  @Test
  void wrongSizedBuffersAreRefused() {
    assertThatThrownBy(() -> PageChecksum.compute(MemorySegment.ofArray(new byte[100])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
  }
}
