package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The disk package's on-disk formats: offsets in sequence, sizes, round trips, and damage detection. */
class DiskLayoutsTest {

  @Test
  void headerPageOffsetsAndSizes() {
    assertThat(PageFileHeaderLayout.PAGE_ID).isZero();
    assertThat(PageFileHeaderLayout.LSN).isEqualTo(8);
    assertThat(PageFileHeaderLayout.CHECKSUM).isEqualTo(PageCrc.OFFSET).isEqualTo(16);
    assertThat(PageFileHeaderLayout.FLAGS).isEqualTo(28);
    assertThat(PageFileHeaderLayout.MAGIC).isEqualTo(32);
    assertThat(PageFileHeaderLayout.FILE_ID).isEqualTo(48);
    assertThat(PageFileHeaderLayout.PAGE_COUNT).isEqualTo(56);
    assertThat(PageFileHeaderLayout.FREE_HEAD).isEqualTo(64);
    assertThat(PageFileHeaderLayout.FREE_COUNT).isEqualTo(72);
    assertThat(PageFileHeaderLayout.END).isEqualTo(88).isLessThan(PageFileStore.PAGE_SIZE);
  }

  @Test
  void freePageOffsetsAndSizes() {
    assertThat(FreePageLayout.CHECKSUM).isEqualTo(16);
    assertThat(FreePageLayout.FLAGS).isEqualTo(28);
    assertThat(FreePageLayout.MAGIC).isEqualTo(32);
    assertThat(FreePageLayout.NEXT).isEqualTo(40);
    assertThat(FreePageLayout.END).isEqualTo(48);
  }

  @Test
  void controlFileOffsetsAndSizes() {
    assertThat(ControlFileLayout.FORMAT).isEqualTo(8);
    assertThat(ControlFileLayout.STATE).isEqualTo(12);
    assertThat(ControlFileLayout.SYSTEM_ID).isEqualTo(16);
    assertThat(ControlFileLayout.CHECKPOINT_LSN).isEqualTo(24);
    assertThat(ControlFileLayout.REDO_START_LSN).isEqualTo(32);
    assertThat(ControlFileLayout.UPDATED).isEqualTo(56);
    assertThat(ControlFileLayout.CHECKSUM).isEqualTo(64);
    assertThat(ControlFileLayout.END).isEqualTo(68).isLessThanOrEqualTo(ControlFileLayout.FILE_SIZE);
    assertThat(ControlFileLayout.FILE_SIZE).isEqualTo(512);
  }

  @Test
  void magicsReadAsTextInAHexDump() {
    byte[] b = new byte[8];
    MemorySegment.ofArray(b).set(Layouts.U64, 0, PageFileHeaderLayout.MAGIC_VALUE);
    assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("RDBPAGEF");
    MemorySegment.ofArray(b).set(Layouts.U64, 0, ControlFileLayout.MAGIC_VALUE);
    assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("RDBCTRL1");
  }

  @Test
  void headerRoundTripsAndEveryFlippedByteOfItsFieldsIsCaught() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment page = arena.allocate(4096, 4096);
      var h = new PageFileHeaderLayout.Header(77, FileKind.DATA, 1000, 42, 3, 123456789L);
      PageFileHeaderLayout.encode(h, page);
      assertThat(PageFileHeaderLayout.problem(page)).isNull();
      assertThat(PageFileHeaderLayout.decode(page)).isEqualTo(h);
      assertThat(page.get(Layouts.U64, 0)).isEqualTo(PageId.of(77, 0));
      assertThat(page.get(Layouts.U32, PageFileHeaderLayout.FLAGS) & 0xFF).isEqualTo(9);
      for (int off = 0; off < 4096; off += 37) {
        page.set(java.lang.foreign.ValueLayout.JAVA_BYTE, off,
            (byte) (page.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off) ^ 0x10));
        assertThat(PageFileHeaderLayout.problem(page)).as("byte %d flipped", off).isNotNull();
        page.set(java.lang.foreign.ValueLayout.JAVA_BYTE, off,
            (byte) (page.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off) ^ 0x10));
      }
      assertThat(PageFileHeaderLayout.problem(page)).isNull();
    }
  }

  @Test
  void headerWithInconsistentCountsIsRefusedEvenWithAGoodChecksum() {
    MemorySegment page = MemorySegment.ofArray(new byte[4096]);
    PageFileHeaderLayout.encode(new PageFileHeaderLayout.Header(1, FileKind.DATA, 10, 12, 1, 0), page);
    assertThat(PageFileHeaderLayout.problem(page)).contains("free-list head 12 outside the file");
    PageFileHeaderLayout.encode(new PageFileHeaderLayout.Header(1, FileKind.DATA, 10, 0, 2, 0), page);
    assertThat(PageFileHeaderLayout.problem(page)).contains("free-page count 2");
    assertThat(PageFileHeaderLayout.problem(MemorySegment.ofArray(new byte[4096]))).contains("all zero");
  }

  @Test
  void freePageRoundTripsAndChecksItsIdentity() {
    MemorySegment page = MemorySegment.ofArray(new byte[4096]);
    long id = PageId.of(3, 17);
    FreePageLayout.encode(id, 5, page);
    assertThat(FreePageLayout.problem(page, id, 20)).isNull();
    assertThat(FreePageLayout.next(page)).isEqualTo(5);
    assertThat(FreePageLayout.problem(page, PageId.of(3, 18), 20)).contains("id field");
    assertThat(FreePageLayout.problem(page, id, 4)).contains("next pointer 5");
    page.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4000, (byte) 1);
    assertThat(FreePageLayout.problem(page, id, 20)).contains("checksum mismatch");
  }

  @Test
  void pageCrcIgnoresItsOwnFieldAndAcceptsOnlyStampedPages() {
    MemorySegment page = MemorySegment.ofArray(new byte[4096]);
    assertThat(PageCrc.isAllZero(page)).isTrue();
    page.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 100, (byte) 7);
    assertThat(PageCrc.isAllZero(page)).isFalse();
    assertThat(PageCrc.matches(page)).isFalse();
    PageCrc.stamp(page);
    assertThat(PageCrc.matches(page)).isTrue();
    int c = PageCrc.compute(page);
    page.set(Layouts.U32, PageCrc.OFFSET, 0);
    assertThat(PageCrc.compute(page)).isEqualTo(c);
  }

  @Test
  void controlFileRoundTripsAndRejectsDamage() {
    var c = new ControlFile.Contents(DatabaseState.IN_PRODUCTION, 0x1234_5678_9abcL, 4096, 2048, 1, 1, 99);
    byte[] bytes = ControlFileLayout.encode(c);
    assertThat(bytes).hasSize(512);
    assertThat(ControlFileLayout.problem(bytes)).isNull();
    assertThat(ControlFileLayout.decode(bytes)).isEqualTo(c);
    for (int off = 0; off < ControlFileLayout.END; off++) {
      byte[] bad = bytes.clone();
      bad[off] ^= 0x01;
      assertThat(ControlFileLayout.problem(bad)).as("byte %d flipped", off).isNotNull();
    }
    assertThat(ControlFileLayout.problem(java.util.Arrays.copyOf(bytes, 100))).contains("wrong size");
    assertThat(ControlFileLayout.problem(new byte[10])).contains("too short");
  }
}
