package org.rustydb.engine.btree;

import static org.rustydb.engine.btree.BTreeNodeLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.rustydb.page.PageType;

/**
 * A flyweight view of one B+tree node page ({@link BTreeNodeLayout}). It holds only the segment: callers
 * hold the page's guard for as long as they use the view, and only write through it under a write guard.
 * Entry indexes run 0..count-1 in key order; keys compare as unsigned bytes.
 */
final class BTreeNode {

  static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final java.lang.invoke.VarHandle KEY_BE64 =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  final MemorySegment p;

  BTreeNode(MemorySegment page) {
    this.p = page;
  }

  /** Formats the page as an empty node of {@code level} (0 = leaf). */
  static BTreeNode init(MemorySegment page, long pageId, int level) {
    page.asSlice(FREE_OFFSET, PAGE_SIZE - FREE_OFFSET).fill((byte) 0);
    page.set(I64, 0, pageId);
    page.set(I32, FREE_OFFSET, PAGE_SIZE);
    page.set(I32, COUNT_OFFSET, 0);
    int type = level == 0 ? PageType.BTREE_LEAF.code() : PageType.BTREE_INNER.code();
    page.set(I32, FLAGS_OFFSET, type | (ENGINE_ID << 8));
    page.set(U16, LEVEL_OFFSET, (short) level);
    page.set(U16, GARBAGE_OFFSET, (short) 0);
    page.set(I64, PREV_OFFSET, -1L);
    page.set(I64, NEXT_OFFSET, -1L);
    page.set(U16, PREFIX_LENGTH_OFFSET, (short) 0);
    return new BTreeNode(page);
  }

  // ------------------------------------------------------------------ header

  int pageType() { return p.get(I32, FLAGS_OFFSET) & 0xFF; }
  int engineId() { return (p.get(I32, FLAGS_OFFSET) >>> 8) & 0xFF; }
  long pageId() { return p.get(I64, 0); }
  int level() { return u16(LEVEL_OFFSET); }
  boolean isLeaf() { return level() == 0; }
  int count() { return p.get(I32, COUNT_OFFSET); }
  int freeOffset() { return p.get(I32, FREE_OFFSET); }
  int garbage() { return u16(GARBAGE_OFFSET); }
  long prev() { return p.get(I64, PREV_OFFSET); }
  long next() { return p.get(I64, NEXT_OFFSET); }
  void setPrev(long id) { p.set(I64, PREV_OFFSET, id); }
  void setNext(long id) { p.set(I64, NEXT_OFFSET, id); }
  /** Inner nodes: the child for keys below the first separator. */
  long leftmost() { return p.get(I64, NEXT_OFFSET); }
  void setLeftmost(long id) { p.set(I64, NEXT_OFFSET, id); }

  private int u16(long off) { return Short.toUnsignedInt(p.get(U16, off)); }

  /** Length of the node's key prefix, stored once at the top of the cell area. */
  int prefixLength() { return u16(PREFIX_LENGTH_OFFSET); }

  byte[] prefix() {
    int n = prefixLength();
    byte[] b = new byte[n];
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, PAGE_SIZE - n, b, 0, n);
    return b;
  }

  /** Contiguous free bytes between the offset array and the cells. */
  int contiguousFree() { return freeOffset() - (SLOTS_OFFSET + SLOT_SIZE * count()); }
  /** Free bytes after a compaction. */
  int totalFree() { return contiguousFree() + garbage(); }
  /** Bytes in use by offsets, live cells and the prefix. */
  int usedBytes() { return USABLE - totalFree(); }

  // ------------------------------------------------------------------ entries

  int cellOffset(int i) { return u16(SLOTS_OFFSET + (long) SLOT_SIZE * i); }
  /** Length of the stored part of entry i's key (after the node prefix). */
  int suffixLength(int i) { return u16(cellOffset(i)); }
  private int keyStart(int i) { return cellOffset(i) + (isLeaf() ? LEAF_CELL_HEADER : INNER_CELL_HEADER); }

  /** Entry i's whole key (prefix and suffix). */
  byte[] key(int i) {
    int pl = prefixLength();
    byte[] k = new byte[pl + suffixLength(i)];
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, PAGE_SIZE - pl, k, 0, pl);
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, keyStart(i), k, pl, k.length - pl);
    return k;
  }

  /** Length of entry i's stored cell (without its offset entry). */
  int cellLength(int i) {
    int off = cellOffset(i);
    int k = u16(off);
    if (!isLeaf()) return INNER_CELL_HEADER + k + CHILD_SIZE;
    int v = u16(off + 2);
    return LEAF_CELL_HEADER + k + ((v & OVERFLOW_BIT) != 0 ? OVERFLOW_REF_SIZE : v);
  }

  /** Entry i as a whole cell (whole key), as the static builders make them. */
  byte[] cell(int i) {
    int off = cellOffset(i);
    int header = isLeaf() ? LEAF_CELL_HEADER : INNER_CELL_HEADER;
    int stored = cellLength(i);
    int pl = prefixLength();
    byte[] c = new byte[stored + pl];
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, off, c, 0, header);
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, PAGE_SIZE - pl, c, header, pl);
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, off + header, c, header + pl, stored - header);
    int k = suffixLength(i) + pl;
    c[0] = (byte) k;
    c[1] = (byte) (k >>> 8);
    return c;
  }

  /** Compares entry i's key with {@code key} as unsigned bytes (one entry; {@link #search} does the same for many). */
  int compareKey(int i, byte[] key) {
    int pl = prefixLength();
    int c = compareBytes(PAGE_SIZE - pl, key, 0, Math.min(pl, key.length));
    if (c != 0) return c;
    if (key.length < pl) return 1; // the key is a proper prefix of the node prefix
    int len = suffixLength(i);
    c = compareBytes(keyStart(i), key, pl, Math.min(len, key.length - pl));
    return c != 0 ? c : Integer.compare(len, key.length - pl);
  }

  /**
   * The sign of comparing {@code len} page bytes at {@code off} with {@code key[from..]}, as unsigned bytes:
   * eight at a time as big-endian longs (their unsigned order is the bytes' order), then one by one. Keys are
   * compared several times per level of every descent, so this is the tree's innermost loop.
   */
  private int compareBytes(long off, byte[] key, int from, int len) {
    int j = 0;
    for (; j + Long.BYTES <= len; j += Long.BYTES) {
      long a = p.get(BE64, off + j);
      long b = (long) KEY_BE64.get(key, from + j);
      if (a != b) return Long.compareUnsigned(a, b);
    }
    for (; j < len; j++) {
      int c = Byte.toUnsignedInt(p.get(ValueLayout.JAVA_BYTE, off + j)) - Byte.toUnsignedInt(key[from + j]);
      if (c != 0) return c;
    }
    return 0;
  }

  /**
   * Binary search: the index of {@code key}, or -(insertion point) - 1. Every key of the node starts with
   * the node prefix, so the key is compared with the prefix once and only the suffixes in the loop: with
   * keys such as YCSB's ("user" and digits) the prefix is the part of each comparison that is never
   * different, and was half of a get's time in the loop (compared a byte at a time, seven times per level).
   */
  int search(byte[] key) {
    int count = count();
    int pl = prefixLength();
    int c = compareBytes(PAGE_SIZE - pl, key, 0, Math.min(pl, key.length));
    if (c > 0 || (c == 0 && key.length < pl)) return -1; // every key of the node is greater
    if (c < 0) return -(count + 1); // every key of the node is smaller
    int header = isLeaf() ? LEAF_CELL_HEADER : INNER_CELL_HEADER;
    int rest = key.length - pl;
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int off = cellOffset(mid);
      int len = u16(off);
      int d = compareBytes(off + header, key, pl, Math.min(len, rest));
      if (d == 0) d = Integer.compare(len, rest);
      if (d < 0) lo = mid + 1;
      else if (d > 0) hi = mid - 1;
      else return mid;
    }
    return -(lo + 1);
  }

  // leaf values
  boolean isOverflow(int i) { return (u16(cellOffset(i) + 2) & OVERFLOW_BIT) != 0; }

  private int valueStart(int i) { return keyStart(i) + suffixLength(i); }

  /** Whether leaf cell {@code cell} (as the static builders make them) and entry i hold inline values of one length. */
  boolean sameInlineLength(int i, byte[] cell) {
    int word = (cell[2] & 0xFF) | (cell[3] & 0xFF) << 8;
    return (word & OVERFLOW_BIT) == 0 && !isOverflow(i) && u16(cellOffset(i) + 2) == word;
  }

  /** Writes the value of {@code cell} over entry i's, of the same length ({@link #sameInlineLength}). */
  void overwriteInlineValue(int i, byte[] cell) {
    int length = u16(cellOffset(i) + 2);
    MemorySegment.copy(cell, cell.length - length, p, ValueLayout.JAVA_BYTE, valueStart(i), length);
  }

  byte[] inlineValue(int i) {
    byte[] v = new byte[u16(cellOffset(i) + 2)];
    MemorySegment.copy(p, ValueLayout.JAVA_BYTE, valueStart(i), v, 0, v.length);
    return v;
  }

  long overflowPage(int i) { return p.get(I64, valueStart(i)); }
  /** The value's length (chain or packed). */
  int overflowLength(int i) {
    int w = overflowWord(i);
    return (w & PACKED_BIT) != 0 ? w & 0xFFFF : w;
  }

  /** Whether entry i's out-of-leaf value sits in a slot of a value page (else it heads a chain). */
  boolean isPacked(int i) { return (overflowWord(i) & PACKED_BIT) != 0; }

  /** Entry i's slot in its value page ({@link #isPacked}). */
  int packedSlot(int i) { return (overflowWord(i) >>> 16) & 0x7FFF; }

  /** The i32 after an out-of-leaf value's page id (see {@link BTreeNodeLayout}). */
  int overflowWord(int i) { return p.get(I32, valueStart(i) + Long.BYTES); }

  // inner children
  /** Entry i's child (keys >= separator i); i = -1 gives the leftmost child. */
  long child(int i) { return i < 0 ? leftmost() : p.get(I64, valueStart(i)); }

  /** Inner nodes: the entry whose child covers {@code key} (-1 = leftmost). */
  int childIndex(byte[] key) {
    int s = search(key);
    return s >= 0 ? s : -s - 2;
  }

  // ------------------------------------------------------------------ cells

  static byte[] leafCell(byte[] key, byte[] value) {
    byte[] c = new byte[LEAF_CELL_HEADER + key.length + value.length];
    c[0] = (byte) key.length; c[1] = (byte) (key.length >>> 8);
    c[2] = (byte) value.length; c[3] = (byte) (value.length >>> 8);
    System.arraycopy(key, 0, c, LEAF_CELL_HEADER, key.length);
    System.arraycopy(value, 0, c, LEAF_CELL_HEADER + key.length, value.length);
    return c;
  }

  /** A leaf cell naming slot {@code slot} of value page {@code page}, which holds a value of {@code length}. */
  static byte[] leafPackedCell(byte[] key, long page, int slot, int length) {
    return leafOverflowCell(key, page, PACKED_BIT | slot << 16 | length);
  }

  static byte[] leafOverflowCell(byte[] key, long firstPage, int length) {
    byte[] c = new byte[LEAF_CELL_HEADER + key.length + OVERFLOW_REF_SIZE];
    MemorySegment s = MemorySegment.ofArray(c);
    s.set(U16, 0, (short) key.length);
    s.set(U16, 2, (short) OVERFLOW_BIT);
    System.arraycopy(key, 0, c, LEAF_CELL_HEADER, key.length);
    s.set(I64, LEAF_CELL_HEADER + key.length, firstPage);
    s.set(I32, LEAF_CELL_HEADER + key.length + Long.BYTES, length);
    return c;
  }

  static byte[] innerCell(byte[] key, long child) {
    byte[] c = new byte[INNER_CELL_HEADER + key.length + CHILD_SIZE];
    MemorySegment s = MemorySegment.ofArray(c);
    s.set(U16, 0, (short) key.length);
    System.arraycopy(key, 0, c, INNER_CELL_HEADER, key.length);
    s.set(I64, INNER_CELL_HEADER + key.length, child);
    return c;
  }

  /** The key of a whole cell built by this class (leaf or inner). */
  static byte[] cellKey(byte[] cell, boolean leaf) {
    int k = Byte.toUnsignedInt(cell[0]) | Byte.toUnsignedInt(cell[1]) << 8;
    int start = leaf ? LEAF_CELL_HEADER : INNER_CELL_HEADER;
    return Arrays.copyOfRange(cell, start, start + k);
  }

  /** The child of an inner cell. */
  static long cellChild(byte[] cell) {
    return MemorySegment.ofArray(cell).get(I64, cell.length - CHILD_SIZE);
  }

  private int sharedWithPrefix(byte[] key) {
    int pl = prefixLength();
    int n = Math.min(pl, key.length);
    long base = PAGE_SIZE - pl;
    int j = 0;
    while (j < n && p.get(ValueLayout.JAVA_BYTE, base + j) == key[j]) j++;
    return j;
  }

  /**
   * True if the whole cell {@code cell} (its key does not have to share the node prefix) fits, counting
   * what the other cells grow by when the prefix must shrink, and compacting if need be.
   */
  boolean fits(byte[] cell) {
    byte[] key = cellKey(cell, isLeaf());
    int pl = prefixLength();
    int np = sharedWithPrefix(key);
    int growth = (pl - np) * (count() - 1); // every cell grows, the prefix area shrinks by the same
    return totalFree() >= cell.length - np + SLOT_SIZE + growth;
  }

  /** Space an insert may need at worst in an inner node: a maximal separator that empties the prefix. */
  int worstInnerInsert() {
    return MAX_INNER_CELL + prefixLength() * count();
  }

  /** Inserts the whole cell {@code cell} as entry {@code i}; the caller checked {@link #fits}. */
  void insertCell(int i, byte[] cell) {
    if (!fits(cell)) throw new IllegalStateException("cell of " + cell.length + " bytes does not fit");
    int pl = prefixLength();
    byte[] key = cellKey(cell, isLeaf());
    int stored = cell.length - pl;
    if (sharedWithPrefix(key) < pl || contiguousFree() < stored + SLOT_SIZE) {
      rewrite(insertAt(cells(), i, cell), 0, count() + 1);
      return;
    }
    putStored(i, cell, pl);
  }

  /** Writes whole cell {@code cell} minus the first {@code pl} key bytes as entry i (space checked). */
  private void putStored(int i, byte[] cell, int pl) {
    int header = isLeaf() ? LEAF_CELL_HEADER : INNER_CELL_HEADER;
    int stored = cell.length - pl;
    int n = count();
    int off = freeOffset() - stored;
    MemorySegment.copy(cell, 0, p, ValueLayout.JAVA_BYTE, off, header);
    MemorySegment.copy(cell, header + pl, p, ValueLayout.JAVA_BYTE, off + header, stored - header);
    int k = (Byte.toUnsignedInt(cell[0]) | Byte.toUnsignedInt(cell[1]) << 8) - pl;
    p.set(U16, off, (short) k);
    long slot = SLOTS_OFFSET + (long) SLOT_SIZE * i;
    MemorySegment.copy(p, slot, p, slot + SLOT_SIZE, (long) SLOT_SIZE * (n - i));
    p.set(U16, slot, (short) off);
    p.set(I32, FREE_OFFSET, off);
    p.set(I32, COUNT_OFFSET, n + 1);
  }

  static byte[][] insertAt(byte[][] a, int at, byte[] x) {
    byte[][] r = new byte[a.length + 1][];
    System.arraycopy(a, 0, r, 0, at);
    r[at] = x;
    System.arraycopy(a, at, r, at + 1, a.length - at);
    return r;
  }

  /** Removes entry i; its cell bytes become garbage. */
  void removeCell(int i) {
    int len = cellLength(i);
    int off = cellOffset(i);
    int n = count();
    long slot = SLOTS_OFFSET + (long) SLOT_SIZE * i;
    MemorySegment.copy(p, slot + SLOT_SIZE, p, slot, (long) SLOT_SIZE * (n - i - 1));
    p.set(I32, COUNT_OFFSET, n - 1);
    if (off == freeOffset()) {
      p.set(I32, FREE_OFFSET, off + len); // the lowest cell: give its bytes back directly
    } else {
      p.set(U16, GARBAGE_OFFSET, (short) (garbage() + len));
    }
    if (n - 1 == 0) { // empty: everything is free again, prefix included
      p.set(U16, PREFIX_LENGTH_OFFSET, (short) 0);
      p.set(I32, FREE_OFFSET, PAGE_SIZE);
      p.set(U16, GARBAGE_OFFSET, (short) 0);
    }
  }

  /** Replaces inner entry i's child pointer. */
  void setChild(int i, long child) {
    if (i < 0) setLeftmost(child);
    else p.set(I64, valueStart(i), child);
  }

  /** Rewrites the node from its own cells: drops garbage and recomputes the prefix. */
  void compact() {
    byte[][] cells = cells();
    rewrite(cells, 0, cells.length);
  }

  /** All entries as whole cells in key order (copies). */
  byte[][] cells() {
    int n = count();
    byte[][] cells = new byte[n][];
    for (int i = 0; i < n; i++) cells[i] = cell(i);
    return cells;
  }

  /** The common prefix length of the keys of whole cells {@code cells[from..to)} (sorted). */
  static int commonPrefix(byte[][] cells, int from, int to, boolean leaf) {
    if (to - from < 2) return 0; // one key: nothing to share, and an insert would undo it at once
    byte[] a = cellKey(cells[from], leaf);
    byte[] b = cellKey(cells[to - 1], leaf);
    int n = Math.min(a.length, b.length);
    int i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
  }

  /** Bytes that whole cells {@code cells[from..to)} take in a node, prefix included. */
  static int packedSize(byte[][] cells, int from, int to, boolean leaf) {
    int pl = commonPrefix(cells, from, to, leaf);
    int size = pl;
    for (int i = from; i < to; i++) size += cells[i].length - pl + SLOT_SIZE;
    return size;
  }

  /**
   * Empties the node (keeping level, links and page id) and stores whole cells {@code cells[from..to)} in
   * order under their common prefix.
   */
  void rewrite(byte[][] cells, int from, int to) {
    boolean leaf = isLeaf();
    int pl = commonPrefix(cells, from, to, leaf);
    if (packedSize(cells, from, to, leaf) > USABLE) throw new IllegalStateException("cells do not fit in a node");
    if (pl > 0) {
      byte[] key = cellKey(cells[from], leaf);
      MemorySegment.copy(key, 0, p, ValueLayout.JAVA_BYTE, PAGE_SIZE - pl, pl);
    }
    p.set(U16, PREFIX_LENGTH_OFFSET, (short) pl);
    p.set(I32, FREE_OFFSET, PAGE_SIZE - pl);
    p.set(I32, COUNT_OFFSET, 0);
    p.set(U16, GARBAGE_OFFSET, (short) 0);
    for (int i = from; i < to; i++) putStored(i - from, cells[i], pl);
  }

  /** Compares two byte arrays as unsigned bytes. */
  static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /**
   * The shortest key s with {@code left < s <= right} (suffix truncation): a prefix of {@code right} one
   * byte longer than the common prefix of both. Requires left < right.
   */
  static byte[] separator(byte[] left, byte[] right) {
    int n = Math.min(left.length, right.length);
    int i = 0;
    while (i < n && left[i] == right[i]) i++;
    return Arrays.copyOf(right, Math.min(right.length, i + 1));
  }
}
