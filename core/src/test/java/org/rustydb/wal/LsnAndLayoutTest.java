package org.rustydb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnAndLayoutTest {

  @Test
  void lsnSplitsIntoSegmentAndOffset() {
    int size = 16 << 20;
    long lsn = Lsn.of(3, 0x40, size);
    assertThat(lsn).isEqualTo(3L * size + 0x40);
    assertThat(Lsn.segment(lsn, size)).isEqualTo(3);
    assertThat(Lsn.offset(lsn, size)).isEqualTo(0x40);
    assertThat(Lsn.toString(lsn)).isEqualTo("0/03000040");
    assertThat(Lsn.toString(lsn, size)).isEqualTo("3:0x40");
    assertThat(Lsn.toString(0x1_0000_0010L)).isEqualTo("1/00000010");
    assertThat(Lsn.parse("1/00000010")).isEqualTo(0x1_0000_0010L);
    assertThat(Lsn.parse(Lsn.toString(lsn))).isEqualTo(lsn);
    assertThatThrownBy(() -> Lsn.segment(1, 1000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lsn.of(0, 0, size)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lsn.parse("x/y")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordHeaderFieldsSitWhereTheFormatSays() {
    assertThat(LogRecordLayout.LENGTH_OFFSET).isEqualTo(0);
    assertThat(LogRecordLayout.CRC_OFFSET).isEqualTo(4);
    assertThat(LogRecordLayout.TYPE_OFFSET).isEqualTo(8);
    assertThat(LogRecordLayout.FLAGS_OFFSET).isEqualTo(9);
    assertThat(LogRecordLayout.RESERVED_OFFSET).isEqualTo(10);
    assertThat(LogRecordLayout.TXN_ID_OFFSET).isEqualTo(12);
    assertThat(LogRecordLayout.PREV_LSN_OFFSET).isEqualTo(20);
    assertThat(LogRecordLayout.HEADER_SIZE).isEqualTo(28);
    assertThat(LogRecordLayout.FULL_PAGE_IMAGE_PAYLOAD).isEqualTo(8 + 4096);
    assertThat(LogRecordLayout.UPDATE_FIXED_PAYLOAD).isEqualTo(14);
    assertThat(LogRecordLayout.COMPENSATION_FIXED_PAYLOAD).isEqualTo(18);
    assertThat(LogRecordLayout.CHECKPOINT_END_FIXED_PAYLOAD).isEqualTo(16);
  }

  @Test
  void segmentHeaderFieldsSitWhereTheFormatSays() {
    assertThat(SegmentHeaderLayout.MAGIC_OFFSET).isEqualTo(0);
    assertThat(SegmentHeaderLayout.VERSION_OFFSET).isEqualTo(4);
    assertThat(SegmentHeaderLayout.HEADER_SIZE_OFFSET).isEqualTo(6);
    assertThat(SegmentHeaderLayout.TIMELINE_OFFSET).isEqualTo(8);
    assertThat(SegmentHeaderLayout.SEGMENT_SIZE_OFFSET).isEqualTo(12);
    assertThat(SegmentHeaderLayout.SEGMENT_NUMBER_OFFSET).isEqualTo(16);
    assertThat(SegmentHeaderLayout.FIRST_LSN_OFFSET).isEqualTo(24);
    assertThat(SegmentHeaderLayout.WRITE_WINDOW_OFFSET).isEqualTo(32);
    assertThat(SegmentHeaderLayout.CRC_OFFSET).isEqualTo(60);
    assertThat(SegmentHeaderLayout.SIZE).isEqualTo(64);
  }

  @Test
  void segmentHeaderRoundTripsAndRejectsDamage() {
    SegmentHeader h = new SegmentHeader(1, 1 << 20, 7, 1 << 16);
    var bytes = h.encode();
    var file = java.nio.file.Path.of("wal", SegmentNames.name(7));
    assertThat(SegmentHeader.decode(bytes, file, 64)).isEqualTo(h);
    assertThat(h.firstLsn()).isEqualTo(7L << 20);
    bytes.put(20, (byte) 1);
    assertThatThrownBy(() -> SegmentHeader.decode(bytes, file, 64))
        .hasMessageContaining(SegmentNames.name(7)).hasMessageContaining("checksum");
    assertThatThrownBy(() -> SegmentHeader.decode(bytes, file, 10)).hasMessageContaining("shorter than its 64-byte header");
  }

  @Test
  void segmentNamesAreTimelineAndNumberIn24HexDigits() {
    assertThat(SegmentNames.name(1)).isEqualTo("000000010000000000000001");
    assertThat(SegmentNames.name(0x1AB)).isEqualTo("0000000100000000000001AB");
    assertThat(SegmentNames.parse("0000000100000000000001AB")).isEqualTo(0x1AB);
    assertThat(SegmentNames.parse("000000010000000000000001.prep")).isEqualTo(-1);
    assertThat(SegmentNames.parse("000000020000000000000001")).isEqualTo(-1);
    assertThat(SegmentNames.parse("00000001000000000000000g")).isEqualTo(-1);
  }

  @Test
  void typeCodesAreStable() {
    for (LogRecordType t : LogRecordType.values()) assertThat(LogRecordType.fromCode(t.code())).isSameAs(t);
    assertThat(LogRecordType.COMMIT.code()).isEqualTo(2);
    assertThat(LogRecordType.SEGMENT_SWITCH.code()).isEqualTo(9);
    assertThat(LogRecordType.fromCode(0)).isNull();
    assertThat(LogRecordType.fromCode(200)).isNull();
  }
}
