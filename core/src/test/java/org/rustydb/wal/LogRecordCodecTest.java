package org.rustydb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class LogRecordCodecTest {

  @Test
  void everyTypeRoundTripsWithRandomPayloads() {
    Random rnd = new Random(WalTesting.seed("LogRecordCodecTest"));
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer heap = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    Set<LogRecordType> seen = EnumSet.noneOf(LogRecordType.class);
    for (int i = 0; i < 3000; i++) {
      LogRecord r = i == 0 ? new LogRecord.SegmentSwitch() : WalTesting.randomRecord(rnd, 3000);
      seen.add(r.type());
      long lsn = 1 + rnd.nextLong(1L << 50);
      int at = rnd.nextInt(100);
      int len = LogRecordCodec.encode(r, buf, at, lsn, crc);
      assertThat(len).isEqualTo(LogRecordCodec.size(r));
      heap.clear();
      heap.put(at, buf, at, len);
      assertThat(LogRecordCodec.validLength(heap, at, at + len, lsn, crc)).isEqualTo(len);
      LogRecord back = LogRecordCodec.decode(heap, at, len);
      assertThat(back).isEqualTo(r);
      assertThat(back.hashCode()).isEqualTo(r.hashCode());
      // The LSN is part of the checksum: the same bytes are not a record at another position.
      assertThat(LogRecordCodec.validLength(heap, at, at + len, lsn + 1, crc)).isEqualTo(-1);
      // A cut-off record does not verify.
      assertThat(LogRecordCodec.validLength(heap, at, at + len - 1, lsn, crc)).isEqualTo(-1);
      // Neither does any flipped byte.
      int flip = at + rnd.nextInt(len);
      heap.put(flip, (byte) (heap.get(flip) ^ (1 << rnd.nextInt(8))));
      assertThat(LogRecordCodec.validLength(heap, at, at + len, lsn, crc)).isEqualTo(-1);
    }
    assertThat(seen).isEqualTo(EnumSet.allOf(LogRecordType.class));
  }

  @Test
  void checksummedButUndecodableBytesAreRejected() {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    int len = LogRecordCodec.encode(new LogRecord.Commit(1, 0, 5), buf, 0, 100, crc);
    buf.put(LogRecordLayout.TYPE_OFFSET, (byte) 77);
    buf.putInt(LogRecordLayout.CRC_OFFSET, LogRecordCodec.crc(buf, 0, len, 100, crc));
    assertThat(LogRecordCodec.validLength(buf, 0, 128, 100, crc)).isEqualTo(len);
    assertThatThrownBy(() -> LogRecordCodec.decode(buf, 0, len)).hasMessageContaining("unknown record type 77");
  }

  /** A checkpoint-begin record of the first format (timestamp only) still reads, as next transaction id 0. */
  @Test
  void aFirstFormatCheckpointBeginReadsWithNextTxnIdZero() {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    int len = LogRecordCodec.encode(new LogRecord.CheckpointBegin(1234, 99), buf, 0, 100, crc);
    assertThat(LogRecordCodec.decode(buf, 0, len)).isEqualTo(new LogRecord.CheckpointBegin(1234, 99));
    int v1 = LogRecordLayout.HEADER_SIZE + LogRecordLayout.CHECKPOINT_BEGIN_PAYLOAD_V1;
    buf.putInt(LogRecordLayout.LENGTH_OFFSET, v1);
    buf.putInt(LogRecordLayout.CRC_OFFSET, LogRecordCodec.crc(buf, 0, v1, 100, crc));
    assertThat(LogRecordCodec.validLength(buf, 0, 128, 100, crc)).isEqualTo(v1);
    assertThat(LogRecordCodec.decode(buf, 0, v1)).isEqualTo(new LogRecord.CheckpointBegin(1234, 0));
    // A negative id is damage, not a record.
    buf.putInt(LogRecordLayout.LENGTH_OFFSET, len);
    buf.putLong(LogRecordLayout.HEADER_SIZE + 8, -5);
    assertThatThrownBy(() -> LogRecordCodec.decode(buf, 0, len)).hasMessageContaining("negative");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new LogRecord.FullPageImage(1, 0, 1, new byte[10])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LogRecord.Update(1, 0, 70000, 1, new byte[0], new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LogRecord.CheckpointEnd(1, new long[1], new long[0], new long[0], new long[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
