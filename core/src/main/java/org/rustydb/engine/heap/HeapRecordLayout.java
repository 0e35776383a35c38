package org.rustydb.engine.heap;

import org.rustydb.page.PageLayout;

/**
 * Byte formats of the heap: its tuples and its redo/undo payloads (all little-endian).
 *
 * <pre>
 * tuple (one slot of a slotted page):
 *   offset size field
 *        0    1 flag        1 live, 0 deleted (a tombstone keeps its slot and its bytes)
 *        1    2 length      value length n
 *        3    n value
 *      3+n    . padding     zeros up to the tuple's physical length, which never shrinks
 *
 * redo payload (of an update record or a compensation record):
 *        0    1 op          1 FORMAT, 2 INSERT, 3 SET
 *   FORMAT: nothing more    the page becomes an empty heap page (owner = heap, type HEAP)
 *   INSERT: 1 2 slot; 3 .. tuple   append the tuple; it must land in that slot (slots are never freed)
 *   SET:    1 2 slot; 3 .. tuple   replace the slot's tuple (same or greater physical length)
 *
 * undo payload:
 *   INSERT undone: op 4 (TOMBSTONE), slot     -> compensation SET of the current tuple with flag 0
 *   SET undone:    op 3 (SET), slot, old tuple -> compensation SET of the old tuple padded to the current
 *                                                 physical length
 * </pre>
 *
 * Why tuples never shrink and slots are never freed: undo must always fit. A delete or a shrinking update
 * that gave bytes back to the page could see them taken by another transaction's insert before its own
 * rollback needs them again; keeping the bytes makes every undo an in-place write. Slots are never reused,
 * so a record id names one row for good and redo of an insert is deterministic. The cost is that deleted
 * rows' space is not reclaimed (a later vacuum could, under a page's write guard once no transaction can
 * roll back into it).
 */
public final class HeapRecordLayout {

  public static final int FLAG_OFFSET = 0;
  public static final int LENGTH_OFFSET = FLAG_OFFSET + 1;
  public static final int VALUE_OFFSET = LENGTH_OFFSET + 2;
  /** Bytes of a tuple before its value. */
  public static final int TUPLE_HEADER = VALUE_OFFSET;
  /** The largest value a row holds: a tuple fills an empty page. */
  public static final int MAX_VALUE = PageLayout.MAX_TUPLE_SIZE - TUPLE_HEADER;

  public static final byte OP_FORMAT = 1;
  public static final byte OP_INSERT = 2;
  public static final byte OP_SET = 3;
  public static final byte OP_TOMBSTONE = 4;
  /** op u8 + slot u16. */
  public static final int PAYLOAD_HEADER = 3;

  /** Slot bits of a record id: page number << 12 | slot. */
  public static final int SLOT_BITS = 12;

  private HeapRecordLayout() {}

  static byte[] tuple(boolean live, byte[] value, int physical) {
    byte[] t = new byte[Math.max(physical, TUPLE_HEADER + value.length)];
    t[FLAG_OFFSET] = (byte) (live ? 1 : 0);
    t[LENGTH_OFFSET] = (byte) value.length;
    t[LENGTH_OFFSET + 1] = (byte) (value.length >>> 8);
    System.arraycopy(value, 0, t, VALUE_OFFSET, value.length);
    return t;
  }

  static boolean live(byte[] tuple) {
    return tuple[FLAG_OFFSET] == 1;
  }

  static byte[] value(byte[] tuple) {
    int n = (tuple[LENGTH_OFFSET] & 0xFF) | (tuple[LENGTH_OFFSET + 1] & 0xFF) << 8;
    byte[] v = new byte[n];
    System.arraycopy(tuple, VALUE_OFFSET, v, 0, n);
    return v;
  }

  static byte[] payload(byte op, int slot, byte[] tuple) {
    byte[] p = new byte[PAYLOAD_HEADER + tuple.length];
    p[0] = op;
    p[1] = (byte) slot;
    p[2] = (byte) (slot >>> 8);
    System.arraycopy(tuple, 0, p, PAYLOAD_HEADER, tuple.length);
    return p;
  }

  static int slot(byte[] payload) {
    return (payload[1] & 0xFF) | (payload[2] & 0xFF) << 8;
  }

  static byte[] tupleOf(byte[] payload) {
    byte[] t = new byte[payload.length - PAYLOAD_HEADER];
    System.arraycopy(payload, PAYLOAD_HEADER, t, 0, t.length);
    return t;
  }

  public static long recordId(long pageNo, int slot) {
    return pageNo << SLOT_BITS | slot;
  }

  public static long pageNo(long recordId) {
    return recordId >>> SLOT_BITS;
  }

  public static int slotOf(long recordId) {
    return (int) (recordId & ((1 << SLOT_BITS) - 1));
  }
}
