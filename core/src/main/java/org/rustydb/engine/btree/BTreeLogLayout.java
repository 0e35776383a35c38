package org.rustydb.engine.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.rustydb.CorruptionException;

/**
 * The B+tree's WAL payloads (the opaque redo and undo bytes of its {@code LogRecord.Update} and
 * {@code Compensation} records, resource manager {@link BTreeNodeLayout#ENGINE_ID}). Byte 0 is the
 * operation; all numbers little-endian.
 *
 * <pre>
 *  redo payloads
 *    OP_DIFF   1 | PageDiff ranges (new bytes)       any change to an existing page
 *    OP_IMAGE  2 | PageDiff image                    a page built from nothing (new file page)
 *  undo payloads
 *    OP_DIFF   1 | PageDiff ranges (old bytes)       structure changes (system transactions): in place
 *    OP_IMAGE  2 | PageDiff image of a zero page      a page new to the file, in a structure change
 *    OP_RESTORE 3 | u16 key length k | k key bytes | u8 had-old (0/1) | [i32 length v | v value bytes]
 *                                                    a user's put or delete: logical, by key — put the
 *                                                    old value back, or delete the key if it had none
 * </pre>
 * Every change is physiological on its page (a diff of bytes), so redo never depends on the tree's shape;
 * only a user's change is undone logically, because splits may have moved the key to another page since.
 */
final class BTreeLogLayout {

  static final byte OP_DIFF = 1;
  static final byte OP_IMAGE = 2;
  static final byte OP_RESTORE = 3;
  static final int OP_SIZE = 1;

  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private BTreeLogLayout() {}

  /** The undo of a user's change to {@code key}: restore {@code oldValue}, or delete the key when null. */
  static byte[] restore(byte[] key, byte[] oldValue) {
    int size = OP_SIZE + 2 + key.length + 1 + (oldValue == null ? 0 : 4 + oldValue.length);
    byte[] out = new byte[size];
    MemorySegment s = MemorySegment.ofArray(out);
    out[0] = OP_RESTORE;
    s.set(U16, 1, (short) key.length);
    System.arraycopy(key, 0, out, 3, key.length);
    int at = 3 + key.length;
    out[at] = (byte) (oldValue == null ? 0 : 1);
    if (oldValue != null) {
      s.set(I32, at + 1, oldValue.length);
      System.arraycopy(oldValue, 0, out, at + 5, oldValue.length);
    }
    return out;
  }

  static byte[] restoreKey(byte[] undo) {
    int k = Short.toUnsignedInt(MemorySegment.ofArray(undo).get(U16, 1));
    check(undo, 3 + k + 1);
    return java.util.Arrays.copyOfRange(undo, 3, 3 + k);
  }

  /** The value to put back, or null when the undo deletes the key. */
  static byte[] restoreValue(byte[] undo) {
    int at = 3 + Short.toUnsignedInt(MemorySegment.ofArray(undo).get(U16, 1));
    check(undo, at + 1);
    if (undo[at] == 0) return null;
    check(undo, at + 5);
    int v = MemorySegment.ofArray(undo).get(I32, at + 1);
    if (v < 0) throw new CorruptionException("B+tree undo record: negative value length " + v);
    check(undo, at + 5 + v);
    return java.util.Arrays.copyOfRange(undo, at + 5, at + 5 + v);
  }

  private static void check(byte[] undo, int need) {
    if (undo.length < need) {
      throw new CorruptionException("B+tree undo record of " + undo.length + " bytes is cut short (needs " + need + ")");
    }
  }
}
