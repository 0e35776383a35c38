package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rustydb.CorruptionException;
import org.rustydb.disk.PageId;

class SlottedPageTest {

  private MemorySegment seg;
  private SlottedPage page;

  @BeforeEach
  void setUp() {
    seg = MemorySegment.ofArray(new byte[PageLayout.PAGE_SIZE]);
    page = new SlottedPage().wrap(seg).format(PageId.of(3, 17), PageType.HEAP);
  }

  private static byte[] bytes(int len, int fill) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  @Test
  void formatWritesAnEmptyConsistentPage() {
    assertThat(page.pageId()).isEqualTo(PageId.of(3, 17));
    assertThat(page.type()).isEqualTo(PageType.HEAP);
    assertThat(page.slotCount()).isZero();
    assertThat(page.freeSpace()).isEqualTo(4096 - 32);
    assertThat(page.lsn()).isZero();
    assertThat(page.problem()).isNull();
  }

  @Test
  void insertPacksTuplesFromThePageEndAndSlotsFromTheHeader() {
    int a = page.insert(bytes(100, 1));
    int b = page.insert(bytes(50, 2));
    assertThat(a).isZero();
    assertThat(b).isEqualTo(1);
    assertThat(seg.get(PageLayout.U16, 32)).isEqualTo((short) (4096 - 100));
    assertThat(seg.get(PageLayout.U16, 36)).isEqualTo((short) (4096 - 150));
    assertThat(seg.get(PageLayout.U32, PageLayout.FREE_SPACE_OFFSET)).isEqualTo(4096 - 150);
    assertThat(page.freeSpace()).isEqualTo(4096 - 32 - 8 - 150);
    assertThat(page.read(a)).isEqualTo(bytes(100, 1));
    assertThat(page.read(b)).isEqualTo(bytes(50, 2));
    assertThat(page.problem()).isNull();
  }

  @Test
  void aTupleThatDoesNotFitReturnsPageFullAndLeavesThePageUnchanged() {
    page.insert(bytes(2000, 7));
    page.insert(bytes(2000, 7));
    byte[] before = seg.toArray(ValueLayout.JAVA_BYTE);
    assertThat(page.insert(bytes(100, 8))).isEqualTo(SlottedPage.PAGE_FULL);
    // Room for an update counts the old tuple's bytes: 56 free + 2000 < 2100.
    assertThat(page.update(0, bytes(2100, 8))).isEqualTo(-1).isEqualTo(SlottedPage.PAGE_FULL);
    assertThat(seg.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(before);
  }

  @Test
  void theLargestTupleFitsAnEmptyPageAndOneMoreByteIsRefused() {
    assertThat(page.maxInsertSize()).isEqualTo(PageLayout.MAX_TUPLE_SIZE);
    assertThat(page.insert(bytes(PageLayout.MAX_TUPLE_SIZE, 9))).isZero();
    assertThat(page.freeSpace()).isZero();
    assertThatThrownBy(() -> page.insert(bytes(PageLayout.MAX_TUPLE_SIZE + 1, 9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the page maximum");
  }

  @Test
  void deleteLeavesATombstoneAndKeepsOtherSlotIds() {
    page.insert(bytes(10, 1));
    page.insert(bytes(10, 2));
    page.insert(bytes(10, 3));
    page.delete(1);
    assertThat(page.isLive(1)).isFalse();
    assertThat(seg.get(PageLayout.U16, PageLayout.slotEntryOffset(1))).isEqualTo((short) 0xFFFF);
    assertThat(page.read(2)).isEqualTo(bytes(10, 3));
    assertThat(page.slotCount()).isEqualTo(3);
    assertThat(page.liveCount()).isEqualTo(2);
    // The tombstone's slot is reused by the next insert.
    assertThat(page.insert(bytes(5, 4))).isEqualTo(1);
  }

  @Test
  void theTombstoneHintIsSetByDeleteAndClearedWhenNoneRemain() {
    page.insert(bytes(10, 1));
    page.insert(bytes(10, 2));
    assertThat(seg.get(PageLayout.U32, PageLayout.FLAGS_OFFSET) & PageLayout.FLAG_MAY_HAVE_TOMBSTONES).isZero();
    page.delete(0);
    assertThat(seg.get(PageLayout.U32, PageLayout.FLAGS_OFFSET) & PageLayout.FLAG_MAY_HAVE_TOMBSTONES).isNotZero();
    assertThat(page.insert(bytes(3, 3))).isZero(); // reuses the tombstone
    assertThat(page.insert(bytes(3, 4))).isEqualTo(2); // scan finds none and clears the hint
    assertThat(seg.get(PageLayout.U32, PageLayout.FLAGS_OFFSET) & PageLayout.FLAG_MAY_HAVE_TOMBSTONES).isZero();
    assertThat(page.problem()).isNull();
  }

  @Test
  void trailingTombstonesGiveTheirSlotsBack() {
    page.insert(bytes(10, 1));
    page.insert(bytes(10, 2));
    page.delete(1);
    assertThat(page.slotCount()).isEqualTo(1);
    page.delete(0);
    assertThat(page.slotCount()).isZero();
    assertThat(page.freeSpace()).isEqualTo(4096 - 32);
  }

  @Test
  void compactKeepsSlotIdsAndReclaimsHoles() {
    for (int i = 0; i < 10; i++) page.insert(bytes(300, i));
    for (int i = 0; i < 10; i += 2) page.delete(i);
    int gapBefore = page.freeSpace();
    page.compact();
    assertThat(page.freeSpace()).isEqualTo(gapBefore + 5 * 300);
    for (int i = 1; i < 10; i += 2) assertThat(page.read(i)).isEqualTo(bytes(300, i));
    assertThat(page.problem()).isNull();
  }

  @Test
  void insertCompactsWhenOnlyTheHolesMakeRoom() {
    for (int i = 0; i < 13; i++) assertThat(page.insert(bytes(300, i))).isEqualTo(i);
    page.delete(3);
    page.delete(4);
    assertThat(page.freeSpace()).isLessThan(500);
    int slot = page.insert(bytes(500, 99));
    assertThat(slot).isEqualTo(3);
    assertThat(page.read(3)).isEqualTo(bytes(500, 99));
    assertThat(page.read(12)).isEqualTo(bytes(300, 12));
    assertThat(page.problem()).isNull();
  }

  @Test
  void updateInPlaceWhenShorterAndRelocatesWhenLonger() {
    page.insert(bytes(100, 1));
    page.insert(bytes(100, 2));
    int offBefore = Short.toUnsignedInt(seg.get(PageLayout.U16, 32));
    assertThat(page.update(0, bytes(60, 5))).isZero();
    assertThat(Short.toUnsignedInt(seg.get(PageLayout.U16, 32))).isEqualTo(offBefore);
    assertThat(page.read(0)).isEqualTo(bytes(60, 5));
    assertThat(page.update(0, bytes(400, 6))).isZero();
    assertThat(Short.toUnsignedInt(seg.get(PageLayout.U16, 32))).isNotEqualTo(offBefore);
    assertThat(page.read(0)).isEqualTo(bytes(400, 6));
    assertThat(page.read(1)).isEqualTo(bytes(100, 2));
  }

  @Test
  void updateCountsTheOldTuplesSpaceAsRoom() {
    page.insert(bytes(2000, 1));
    page.insert(bytes(1900, 2));
    // 4096-32-8-3900 = 156 free; growing slot 1 to 2050 fits only by reusing its own 1900 bytes.
    assertThat(page.update(1, bytes(2050, 3))).isEqualTo(1);
    assertThat(page.read(0)).isEqualTo(bytes(2000, 1));
    assertThat(page.read(1)).isEqualTo(bytes(2050, 3));
    assertThat(page.problem()).isNull();
  }

  @Test
  void slotsOutOfRangeOrDeletedAreClearErrors() {
    page.insert(bytes(10, 1));
    page.insert(bytes(10, 1));
    page.delete(0);
    assertThatThrownBy(() -> page.read(5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slot 5 out of range 0..1 on page 3:17");
    assertThatThrownBy(() -> page.read(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> page.read(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slot 0 is deleted");
    assertThatThrownBy(() -> page.delete(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> page.update(0, new byte[1])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void iterationVisitsLiveSlotsInOrder() {
    for (int i = 0; i < 6; i++) page.insert(bytes(1, i));
    page.delete(0);
    page.delete(3);
    StringBuilder seen = new StringBuilder();
    for (int s = page.nextLive(0); s >= 0; s = page.nextLive(s + 1)) seen.append(s);
    assertThat(seen.toString()).isEqualTo("1245");
  }

  @Test
  void headerFieldsRoundTrip() {
    page.setLsn(0x1122334455667788L);
    page.setOwner(7);
    assertThat(page.lsn()).isEqualTo(0x1122334455667788L);
    assertThat(page.owner()).isEqualTo(7);
    assertThat(page.type()).isEqualTo(PageType.HEAP);
    assertThatThrownBy(() -> page.setOwner(256)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wrongSizedSegmentsAreRefused() {
    assertThatThrownBy(() -> new SlottedPage().wrap(MemorySegment.ofArray(new byte[4095])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inconsistentHeadersAreReportedAsCorruptNamingThePage() {
    page.insert(bytes(100, 1));
    page.insert(bytes(100, 2));
    MemorySegment good = MemorySegment.ofArray(seg.toArray(ValueLayout.JAVA_BYTE));

    seg.set(PageLayout.U32, PageLayout.FREE_SPACE_OFFSET, 5000);
    assertThat(page.problem()).contains("free-space offset 5000");
    assertThatThrownBy(page::checkConsistent).isInstanceOf(CorruptionException.class)
        .hasMessageContaining("page 3:17");

    MemorySegment.copy(good, 0, seg, 0, 4096);
    seg.set(PageLayout.U32, PageLayout.SLOT_COUNT_OFFSET, 5000);
    assertThat(page.problem()).contains("slot count 5000");

    MemorySegment.copy(good, 0, seg, 0, 4096);
    seg.set(PageLayout.U16, PageLayout.slotEntryOffset(1), (short) (4096 - 150)); // into slot 0's bytes
    assertThat(page.problem()).contains("overlap");

    MemorySegment.copy(good, 0, seg, 0, 4096);
    seg.set(PageLayout.U16, PageLayout.slotEntryOffset(0), (short) 4090);
    assertThat(page.problem()).contains("outside the tuple area");

    MemorySegment.copy(good, 0, seg, 0, 4096);
    seg.set(PageLayout.U32, PageLayout.FLAGS_OFFSET, 0xEE);
    assertThat(page.problem()).contains("unknown page type");

    MemorySegment.copy(good, 0, seg, 0, 4096);
    seg.set(PageLayout.U32, PageLayout.FLAGS_OFFSET, 0x8000_0001);
    assertThat(page.problem()).contains("reserved flag bits");

    MemorySegment.copy(good, 0, seg, 0, 4096);
    assertThat(page.problem()).isNull();
  }
}
