package org.rustydb.wal;

import static org.rustydb.wal.LogRecordLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.rustydb.page.PageLayout;

/**
 * Encodes {@link LogRecord}s into the {@link LogRecordLayout} format and back. Works on little-endian
 * {@link ByteBuffer}s with absolute indexes, so the writer encodes straight into its (direct) log buffer
 * with no copy, and the reader decodes straight out of the segment bytes it read.
 */
public final class LogRecordCodec {

  private LogRecordCodec() {}

  /** The encoded size of {@code r}, header included. */
  public static int size(LogRecord r) {
    return HEADER_SIZE + switch (r) {
      case LogRecord.Begin b -> 0;
      case LogRecord.Abort a -> 0;
      case LogRecord.SegmentSwitch s -> 0;
      case LogRecord.Commit c -> COMMIT_PAYLOAD;
      case LogRecord.CheckpointBegin c -> CHECKPOINT_BEGIN_PAYLOAD;
      case LogRecord.Update u -> UPDATE_FIXED_PAYLOAD + u.redoLength() + u.undoLength();
      case LogRecord.Compensation c -> COMPENSATION_FIXED_PAYLOAD + c.redoArray().length;
      case LogRecord.FullPageImage f -> FULL_PAGE_IMAGE_PAYLOAD;
      case LogRecord.CheckpointEnd c ->
          CHECKPOINT_END_FIXED_PAYLOAD + (c.dirtyCount() + c.activeCount()) * CHECKPOINT_END_ENTRY;
    };
  }

  /**
   * Writes {@code r} at index {@code at} of {@code dst} (little-endian), as the record at {@code lsn},
   * checksum included. The caller has checked there is room for {@link #size}. Returns the size.
   */
  public static int encode(LogRecord r, ByteBuffer dst, int at, long lsn, CRC32C crc) {
    checkOrder(dst);
    int length = size(r);
    dst.putInt(at + LENGTH_OFFSET, length);
    dst.putInt(at + CRC_OFFSET, 0);
    dst.put(at + TYPE_OFFSET, (byte) r.type().code());
    dst.put(at + FLAGS_OFFSET, (byte) 0);
    dst.putShort(at + RESERVED_OFFSET, (short) 0);
    dst.putLong(at + TXN_ID_OFFSET, r.txnId());
    dst.putLong(at + PREV_LSN_OFFSET, r.prevLsn());
    int p = at + HEADER_SIZE;
    switch (r) {
      case LogRecord.Begin b -> {}
      case LogRecord.Abort a -> {}
      case LogRecord.SegmentSwitch s -> {}
      case LogRecord.Commit c -> dst.putLong(p, c.timestampMillis());
      case LogRecord.CheckpointBegin c -> {
        dst.putLong(p, c.timestampMillis());
        dst.putLong(p + 8, c.nextTxnId());
      }
      case LogRecord.Update u -> {
        dst.putShort(p, (short) u.rmId());
        dst.putLong(p + 2, u.pageId());
        dst.putInt(p + 10, u.redoLength());
        dst.put(p + 14, u.redoArray());
        dst.put(p + 14 + u.redoLength(), u.undoArray());
      }
      case LogRecord.Compensation c -> {
        dst.putShort(p, (short) c.rmId());
        dst.putLong(p + 2, c.pageId());
        dst.putLong(p + 10, c.undoNextLsn());
        dst.put(p + 18, c.redoArray());
      }
      case LogRecord.FullPageImage f -> {
        dst.putLong(p, f.pageId());
        dst.put(p + 8, f.imageArray());
      }
      case LogRecord.CheckpointEnd c -> {
        dst.putLong(p, c.beginLsn());
        dst.putInt(p + 8, c.dirtyCount());
        dst.putInt(p + 12, c.activeCount());
        int q = p + CHECKPOINT_END_FIXED_PAYLOAD;
        for (int i = 0; i < c.dirtyCount(); i++, q += CHECKPOINT_END_ENTRY) {
          dst.putLong(q, c.dirtyPageId(i));
          dst.putLong(q + 8, c.dirtyRecLsn(i));
        }
        for (int i = 0; i < c.activeCount(); i++, q += CHECKPOINT_END_ENTRY) {
          dst.putLong(q, c.activeTxnId(i));
          dst.putLong(q + 8, c.activeTxnLastLsn(i));
        }
      }
    }
    dst.putInt(at + CRC_OFFSET, crc(dst, at, length, lsn, crc));
    return length;
  }

  /**
   * The length of the record at index {@code at} if one is there that checksums as the record at
   * {@code lsn} and ends by {@code limit}; otherwise -1 (zeros, a torn write, damage, or a stale record
   * of a recycled file's previous life).
   */
  public static int validLength(ByteBuffer src, int at, int limit, long lsn, CRC32C crc) {
    if (at < 0 || limit - at < HEADER_SIZE) return -1;
    int length = src.getInt(at + LENGTH_OFFSET);
    if (length < HEADER_SIZE || length > limit - at) return -1;
    return src.getInt(at + CRC_OFFSET) == crc(src, at, length, lsn, crc) ? length : -1;
  }

  /**
   * Decodes the record at index {@code at} whose checksum {@link #validLength} has verified.
   *
   * @throws IllegalArgumentException when the bytes checksum but do not form a record of a known type
   *     (written by a newer format, or by a bug); the caller reports it as corruption with the position
   */
  public static LogRecord decode(ByteBuffer src, int at, int length) {
    checkOrder(src);
    int code = src.get(at + TYPE_OFFSET) & 0xFF;
    LogRecordType type = LogRecordType.fromCode(code);
    if (type == null) throw new IllegalArgumentException("unknown record type " + code);
    long txn = src.getLong(at + TXN_ID_OFFSET);
    long prev = src.getLong(at + PREV_LSN_OFFSET);
    int p = at + HEADER_SIZE;
    int payload = length - HEADER_SIZE;
    return switch (type) {
      case BEGIN -> { expect(type, payload, 0); yield new LogRecord.Begin(txn, prev); }
      case ABORT -> { expect(type, payload, 0); yield new LogRecord.Abort(txn, prev); }
      case SEGMENT_SWITCH -> { expect(type, payload, 0); yield new LogRecord.SegmentSwitch(); }
      case COMMIT -> { expect(type, payload, COMMIT_PAYLOAD); yield new LogRecord.Commit(txn, prev, src.getLong(p)); }
      case CHECKPOINT_BEGIN -> {
        if (payload == CHECKPOINT_BEGIN_PAYLOAD_V1) yield new LogRecord.CheckpointBegin(src.getLong(p), 0);
        expect(type, payload, CHECKPOINT_BEGIN_PAYLOAD);
        long next = src.getLong(p + 8);
        if (next < 0) throw new IllegalArgumentException("CHECKPOINT_BEGIN next transaction id is negative: " + next);
        yield new LogRecord.CheckpointBegin(src.getLong(p), next);
      }
      case UPDATE -> {
        atLeast(type, payload, UPDATE_FIXED_PAYLOAD);
        int redoLen = src.getInt(p + 10);
        int undoLen = payload - UPDATE_FIXED_PAYLOAD - redoLen;
        if (redoLen < 0 || undoLen < 0) throw new IllegalArgumentException("UPDATE redo length " + redoLen + " exceeds the record");
        yield new LogRecord.Update(txn, prev, src.getShort(p) & 0xFFFF, src.getLong(p + 2),
            bytes(src, p + 14, redoLen), bytes(src, p + 14 + redoLen, undoLen));
      }
      case COMPENSATION -> {
        atLeast(type, payload, COMPENSATION_FIXED_PAYLOAD);
        yield new LogRecord.Compensation(txn, prev, src.getShort(p) & 0xFFFF, src.getLong(p + 2),
            src.getLong(p + 10), bytes(src, p + 18, payload - COMPENSATION_FIXED_PAYLOAD));
      }
      case FULL_PAGE_IMAGE -> {
        expect(type, payload, FULL_PAGE_IMAGE_PAYLOAD);
        yield new LogRecord.FullPageImage(txn, prev, src.getLong(p), bytes(src, p + 8, PageLayout.PAGE_SIZE));
      }
      case CHECKPOINT_END -> {
        atLeast(type, payload, CHECKPOINT_END_FIXED_PAYLOAD);
        int nDirty = src.getInt(p + 8);
        int nActive = src.getInt(p + 12);
        if (nDirty < 0 || nActive < 0
            || (long) (nDirty + (long) nActive) * CHECKPOINT_END_ENTRY != payload - CHECKPOINT_END_FIXED_PAYLOAD) {
          throw new IllegalArgumentException("CHECKPOINT_END table sizes " + nDirty + "+" + nActive + " do not match its length");
        }
        long[] pages = new long[nDirty], recLsns = new long[nDirty], txns = new long[nActive], last = new long[nActive];
        int q = p + CHECKPOINT_END_FIXED_PAYLOAD;
        for (int i = 0; i < nDirty; i++, q += CHECKPOINT_END_ENTRY) {
          pages[i] = src.getLong(q);
          recLsns[i] = src.getLong(q + 8);
        }
        for (int i = 0; i < nActive; i++, q += CHECKPOINT_END_ENTRY) {
          txns[i] = src.getLong(q);
          last[i] = src.getLong(q + 8);
        }
        yield new LogRecord.CheckpointEnd(src.getLong(p), pages, recLsns, txns, last);
      }
    };
  }

  /** The record checksum: CRC32C over the LSN, the length field, and everything after the CRC field. */
  static int crc(ByteBuffer b, int at, int length, long lsn, CRC32C crc) {
    crc.reset();
    for (int i = 0; i < Long.BYTES; i++) crc.update((int) (lsn >>> (8 * i)));
    if (b.hasArray()) {
      byte[] a = b.array();
      int base = b.arrayOffset() + at;
      crc.update(a, base + LENGTH_OFFSET, Integer.BYTES);
      crc.update(a, base + TYPE_OFFSET, length - TYPE_OFFSET);
    } else {
      crc.update(b.slice(at + LENGTH_OFFSET, Integer.BYTES));
      crc.update(b.slice(at + TYPE_OFFSET, length - TYPE_OFFSET));
    }
    return (int) crc.getValue();
  }

  private static byte[] bytes(ByteBuffer src, int at, int n) {
    byte[] out = new byte[n];
    src.get(at, out);
    return out;
  }

  private static void expect(LogRecordType t, int payload, int size) {
    if (payload != size) throw new IllegalArgumentException(t + " payload is " + payload + " bytes, not " + size);
  }

  private static void atLeast(LogRecordType t, int payload, int size) {
    if (payload < size) throw new IllegalArgumentException(t + " payload is " + payload + " bytes, less than " + size);
  }

  private static void checkOrder(ByteBuffer b) {
    if (b.order() != ByteOrder.LITTLE_ENDIAN) throw new IllegalArgumentException("log buffers are little-endian");
  }
}
