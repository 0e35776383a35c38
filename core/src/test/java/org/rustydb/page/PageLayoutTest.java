package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageLayoutTest {

  @Test
  void headerFieldsSitWhereTheFormatSays() {
    assertThat(PageLayout.PAGE_SIZE).isEqualTo(4096);
    assertThat(PageLayout.PAGE_ID_OFFSET).isEqualTo(0);
    assertThat(PageLayout.LSN_OFFSET).isEqualTo(8);
    assertThat(PageLayout.CHECKSUM_OFFSET).isEqualTo(16); // DESIGN.md erratum 1: not 12
    assertThat(PageLayout.FREE_SPACE_OFFSET).isEqualTo(20);
    assertThat(PageLayout.SLOT_COUNT_OFFSET).isEqualTo(24);
    assertThat(PageLayout.FLAGS_OFFSET).isEqualTo(28);
    assertThat(PageLayout.HEADER_SIZE).isEqualTo(32);
  }

  @Test
  void slotsAreFourBytesAfterTheHeader() {
    assertThat(PageLayout.SLOT_SIZE).isEqualTo(4);
    assertThat(PageLayout.slotEntryOffset(0)).isEqualTo(32);
    assertThat(PageLayout.slotEntryOffset(3)).isEqualTo(44);
    assertThat(PageLayout.MAX_TUPLE_SIZE).isEqualTo(4096 - 32 - 4);
    assertThat(PageLayout.MAX_SLOTS).isEqualTo(1016);
  }

  @Test
  void pageTypeCodesRoundTripAndAreStable() {
    for (PageType t : PageType.values()) {
      assertThat(PageType.fromCode(t.code())).isSameAs(t);
    }
    assertThat(PageType.HEAP.code()).isEqualTo(1);
    assertThat(PageType.BTREE_LEAF.code()).isEqualTo(3);
    assertThat(PageType.fromCode(200)).isNull();
    assertThat(PageType.fromCode(-1)).isNull();
  }

  @Test
  void engineIdsAreDistinctAndStable() {
    assertThat(PageOwner.NONE).isZero();
    assertThat(PageOwner.HEAP).isEqualTo(1);
    assertThat(PageOwner.BTREE).isEqualTo(2);
    assertThat(org.rustydb.engine.heap.HeapResourceManager.ID).isEqualTo(PageOwner.HEAP);
    assertThat(org.rustydb.engine.btree.BTreeNodeLayout.ENGINE_ID).isEqualTo(PageOwner.BTREE);
  }
}
