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
 *    OP_REBUILD 5 | u16 keep from f | u16 keep to t | u8 moved first (0/1) | u16 count n
 *                 | n times: u16 length L, L bytes of a whole cell (full key)
 *                                                    a node rebuilt (BTreeNode.rewrite) from its own
 *                                                    entries [f, t) and n entries moved in from a
 *                                                    sibling, before or after them: a split's or shift's
 *                                                    page that keeps or takes entries logs what moved,
 *                                                    not the bytes the rewrite moved within the page
 *  undo payloads
 *    OP_DIFF   1 | PageDiff ranges (old bytes)       structure changes (system transactions): in place
 *    OP_IMAGE  2 | PageDiff image of a zero page      a page new to the file, in a structure change
 *    OP_RESTORE 3 | u16 key length k | k key bytes | u8 had-old (0/1) | [i32 length v | v value bytes]
 *                                                    a user's put or delete: logical, by key — put the
 *                                                    old value back, or delete the key if it had none
 *    OP_RESTORE_PATCH 4 | u16 key length k | k key bytes | i32 value length v | u16 range count n
 *                       | n times: i32 offset, i32 length L, L old bytes
 *                                                    a user's replace by a value of the same length: the
 *                                                    old value is the current one (the change's new value)
 *                                                    with these ranges written back
 * </pre>
 * Every change is physiological on its page (a diff of bytes, or a rebuild from the page's own entries and
 * the logged ones), so redo never depends on the tree's shape;
 * only a user's change is undone logically, because splits may have moved the key to another page since.
 * A replace that changes a few bytes of a large value (YCSB's update: one field of ten) logs those bytes
 * and not the whole old value: {@link #OP_RESTORE_PATCH} relies on the key's lock, which keeps the new
 * value in place until the transaction ends, and on undo running newest first, which puts it back before
 * the patch is applied.
 */
final class BTreeLogLayout {

  static final byte OP_DIFF = 1;
  static final byte OP_IMAGE = 2;
  static final byte OP_RESTORE = 3;
  static final byte OP_RESTORE_PATCH = 4;
  static final byte OP_REBUILD = 5;
  static final int OP_SIZE = 1;
  private static final int REBUILD_HEADER = OP_SIZE + 2 + 2 + 1 + 2;

  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private BTreeLogLayout() {}

  /** Equal bytes that end a patch range: a range header costs 8 bytes. */
  private static final int PATCH_GAP = 8;
  private static final int PATCH_HEADER = OP_SIZE + 2; // then the key, then value length and range count
  private static final int RANGE_HEADER = 8;

  /**
   * The undo of a user's change to {@code key} from {@code oldValue} (null: it was absent) to
   * {@code newValue} (null: deleted): a patch of the new value when both have the same length and the
   * patch is the smaller record, else {@link #restore(byte[], byte[])}.
   */
  static byte[] undo(byte[] key, byte[] oldValue, byte[] newValue) {
    if (oldValue == null || newValue == null || oldValue.length != newValue.length) return restore(key, oldValue);
    int[] ranges = new int[16];
    int n = 0;
    int bytes = 0;
    int limit = oldValue.length - PATCH_HEADER - 10; // a patch this large saves nothing
    for (int pos = 0; pos < oldValue.length; ) {
      int m = java.util.Arrays.mismatch(oldValue, pos, oldValue.length, newValue, pos, newValue.length);
      if (m < 0) break;
      int start = pos + m;
      int end = start + 1;
      // The range ends at PATCH_GAP equal bytes in a row (or the value's end).
      while (end < oldValue.length) {
        int gapEnd = Math.min(end + PATCH_GAP, oldValue.length);
        int d = java.util.Arrays.mismatch(oldValue, end, gapEnd, newValue, end, gapEnd);
        if (d < 0) break;
        end += d + 1;
      }
      bytes += RANGE_HEADER + end - start;
      if (bytes > limit) return restore(key, oldValue);
      if (2 * n + 2 > ranges.length) ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
      ranges[2 * n] = start;
      ranges[2 * n + 1] = end - start;
      n++;
      pos = end;
    }
    if (n > 0xFFFF) return restore(key, oldValue);
    byte[] out = new byte[PATCH_HEADER + key.length + 4 + 2 + bytes];
    MemorySegment s = MemorySegment.ofArray(out);
    out[0] = OP_RESTORE_PATCH;
    s.set(U16, 1, (short) key.length);
    System.arraycopy(key, 0, out, PATCH_HEADER, key.length);
    int at = PATCH_HEADER + key.length;
    s.set(I32, at, oldValue.length);
    s.set(U16, at + 4, (short) n);
    at += 6;
    for (int r = 0; r < n; r++) {
      int off = ranges[2 * r];
      int len = ranges[2 * r + 1];
      s.set(I32, at, off);
      s.set(I32, at + 4, len);
      System.arraycopy(oldValue, off, out, at + RANGE_HEADER, len);
      at += RANGE_HEADER + len;
    }
    return out;
  }

  /**
   * The value an {@link #OP_RESTORE_PATCH} undo puts back: {@code current} (the key's value now, which must
   * be the change's new value) with the patch's old bytes written over it.
   *
   * @throws CorruptionException when the record is cut short, or {@code current} is missing or of another
   *     length, or a range lies outside it
   */
  static byte[] patchedValue(byte[] undo, byte[] current) {
    MemorySegment s = MemorySegment.ofArray(undo);
    check(undo, PATCH_HEADER);
    int at = PATCH_HEADER + Short.toUnsignedInt(s.get(U16, 1));
    check(undo, at + 6);
    int length = s.get(I32, at);
    if (current == null || current.length != length) {
      throw new CorruptionException("B+tree undo record: the value to patch is " + (current == null ? "missing"
          : current.length + " bytes long") + ", the record expects " + length);
    }
    int n = Short.toUnsignedInt(s.get(U16, at + 4));
    at += 6;
    byte[] out = current.clone();
    for (int r = 0; r < n; r++) {
      check(undo, at + RANGE_HEADER);
      int off = s.get(I32, at);
      int len = s.get(I32, at + 4);
      if (off < 0 || len < 0 || off > length - len) {
        throw new CorruptionException("B+tree undo record: range " + off + "+" + len + " outside a value of " + length);
      }
      check(undo, at + RANGE_HEADER + len);
      System.arraycopy(undo, at + RANGE_HEADER, out, off, len);
      at += RANGE_HEADER + len;
    }
    return out;
  }

  /**
   * The redo of a node rebuilt from its own entries [{@code keepFrom}, {@code keepTo}) and the whole cells
   * {@code moved[movedFrom..movedTo)} placed before them ({@code movedFirst}) or after them.
   */
  static byte[] rebuild(int keepFrom, int keepTo, byte[][] moved, int movedFrom, int movedTo, boolean movedFirst) {
    int size = REBUILD_HEADER;
    for (int i = movedFrom; i < movedTo; i++) size += 2 + moved[i].length;
    byte[] out = new byte[size];
    MemorySegment s = MemorySegment.ofArray(out);
    out[0] = OP_REBUILD;
    s.set(U16, 1, (short) keepFrom);
    s.set(U16, 3, (short) keepTo);
    out[5] = (byte) (movedFirst ? 1 : 0);
    s.set(U16, 6, (short) (movedTo - movedFrom));
    int at = REBUILD_HEADER;
    for (int i = movedFrom; i < movedTo; i++) {
      s.set(U16, at, (short) moved[i].length);
      System.arraycopy(moved[i], 0, out, at + 2, moved[i].length);
      at += 2 + moved[i].length;
    }
    return out;
  }

  /**
   * Applies an {@link #OP_REBUILD} redo to the node in {@code page}: the same {@link BTreeNode#rewrite} the
   * change made, from the same entries, so the page comes out byte for byte as it did then.
   *
   * @throws CorruptionException when the record is cut short, names entries the node does not have, or
   *     its entries do not fit a node
   */
  static void applyRebuild(byte[] redo, MemorySegment page) {
    check(redo, REBUILD_HEADER);
    MemorySegment s = MemorySegment.ofArray(redo);
    int keepFrom = Short.toUnsignedInt(s.get(U16, 1));
    int keepTo = Short.toUnsignedInt(s.get(U16, 3));
    boolean movedFirst = redo[5] != 0;
    int n = Short.toUnsignedInt(s.get(U16, 6));
    BTreeNode node = new BTreeNode(page);
    byte[][] own = node.cells();
    if (keepFrom > keepTo || keepTo > own.length) {
      throw new CorruptionException("B+tree rebuild record keeps entries " + keepFrom + ".." + keepTo + " of a node of "
          + own.length);
    }
    byte[][] all = new byte[keepTo - keepFrom + n][];
    int ownAt = movedFirst ? n : 0;
    System.arraycopy(own, keepFrom, all, ownAt, keepTo - keepFrom);
    int movedAt = movedFirst ? 0 : keepTo - keepFrom;
    int at = REBUILD_HEADER;
    for (int i = 0; i < n; i++) {
      check(redo, at + 2);
      int len = Short.toUnsignedInt(s.get(U16, at));
      check(redo, at + 2 + len);
      all[movedAt + i] = java.util.Arrays.copyOfRange(redo, at + 2, at + 2 + len);
      at += 2 + len;
    }
    if (at != redo.length) {
      throw new CorruptionException("B+tree rebuild record of " + redo.length + " bytes holds " + at);
    }
    try {
      node.rewrite(all, 0, all.length);
    } catch (IllegalStateException e) {
      throw new CorruptionException("B+tree rebuild record: " + e.getMessage());
    }
  }

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

  /** The key of an {@link #OP_RESTORE} or {@link #OP_RESTORE_PATCH} undo (both start alike). */
  static byte[] restoreKey(byte[] undo) {
    check(undo, 3);
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

  private static void check(byte[] payload, int need) {
    if (payload.length < need) {
      throw new CorruptionException("B+tree log payload of " + payload.length + " bytes is cut short (needs " + need + ")");
    }
  }
}
