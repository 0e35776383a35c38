package org.rustydb.engine.btree;

import org.rustydb.page.PageLayout;

/**
 * The byte layout of B+tree pages: node pages (leaf and inner), the tree's meta page and overflow pages. All
 * keep the common 32-byte page header of {@link PageLayout} (page id, LSN, checksum, flags with the page type
 * in byte 0 and the owning engine id {@link #ENGINE_ID} in byte 1); the header's free-space offset and slot
 * count words hold the node's cell-area start and entry count. All fields little-endian.
 *
 * <pre>
 *  node page (PageType BTREE_LEAF or BTREE_INNER)
 *  offset  size  field
 *  ------  ----  ------------------------------------------------------------------------------
 *       0    32  common header      free-space offset (20) = lowest cell byte, slot count (24) = entries
 *      32     2  level              0 for leaves, parent = child + 1
 *      34     2  garbage bytes      bytes of dead cells inside the cell area (reclaimed by compaction)
 *      36     8  prev page          leaf: left sibling page id, -1 if none; inner: -1
 *      44     8  next / leftmost    leaf: right sibling page id, -1 if none; inner: child for keys below
 *                                   the first separator
 *      52     2  prefix length      P: bytes every key of the node starts with, stored once
 *      54   2*n  offset array       u16 offset of entry i's cell, ordered by key (unsigned bytes)
 *           ...  free space
 *           ...  cells, packed downward from the prefix (in any order)
 *  4096-P     P  key prefix         the common prefix of the node's keys when it was last rebuilt
 *
 *  (key length and key bytes in cells are those of the key after the P prefix bytes)
 *  leaf cell:    u16 key length | u16 value word | key bytes | value
 *                value word bit 15 clear: value inline, bits 0-14 = its length (key + value at most
 *                                         MAX_INLINE_PAYLOAD = 1,341 bytes)
 *                value word bit 15 set:   value elsewhere = i64 page id | i32 length word:
 *                  length word bit 31 clear: the page starts an overflow chain; the word is the value's length
 *                  length word bit 31 set:   the page is a value page; bits 16-30 = slot, bits 0-15 = length
 *  inner cell:   u16 key length | key bytes | i64 child page id (child for keys >= this separator)
 *
 *  meta page (PageType FILE_HEADER, engine byte ENGINE_ID): the tree's first page
 *      32     8  magic "RDBBTREE"
 *      40     8  root page id
 *      48     4  height (1 = the root is a leaf)
 *      52     4  reserved, zero
 *      56     8  free-list page id
 *
 *  free-list page (PageType FILE_HEADER, engine byte ENGINE_ID): the tree's second page
 *      32     8  magic "RDBBFREE"
 *      40     8  first free page id, -1 if none
 *      48     8  free pages on the list
 *
 *  free page (PageType FREE, engine byte ENGINE_ID): a page of the tree's file on its free list
 *      32     8  next free page id, -1 at the end
 *
 *  value page (PageType BTREE_VALUES, engine byte ENGINE_ID): a slotted page (PageLayout) holding values
 *      too long for the leaf and at most MAX_PACKED_VALUE bytes, one per slot, so that several share a page
 *
 *  overflow page (PageType OVERFLOW): one link of a value's chain
 *      32     8  next overflow page id, -1 at the end
 *      40     4  bytes of the value in this page
 *      44   ...  value bytes
 * </pre>
 *
 * <p>Prefix compression: a node's keys share its prefix, computed from the first and last key whenever the
 * node is rebuilt (split, merge, bulk load, compaction); an insert of a key outside the prefix rebuilds
 * the node under the shorter common prefix. Separators in inner nodes are suffix-truncated, so inner cells are usually much shorter than leaf keys. Sizes are chosen
 * so that any three maximal cells fit in a node: a split of a full node always yields two nodes that
 * each hold the new cell.
 */
public final class BTreeNodeLayout {

  /** Owning engine id in byte 1 of the page flags for every B+tree page. */
  public static final int ENGINE_ID = org.rustydb.page.PageOwner.BTREE;

  public static final int PAGE_SIZE = PageLayout.PAGE_SIZE;
  public static final int FREE_OFFSET = PageLayout.FREE_SPACE_OFFSET;
  public static final int COUNT_OFFSET = PageLayout.SLOT_COUNT_OFFSET;
  public static final int FLAGS_OFFSET = PageLayout.FLAGS_OFFSET;

  public static final int LEVEL_OFFSET = PageLayout.HEADER_SIZE;
  public static final int GARBAGE_OFFSET = LEVEL_OFFSET + Short.BYTES;
  public static final int PREV_OFFSET = GARBAGE_OFFSET + Short.BYTES;
  public static final int NEXT_OFFSET = PREV_OFFSET + Long.BYTES;
  public static final int PREFIX_LENGTH_OFFSET = NEXT_OFFSET + Long.BYTES;
  public static final int SLOTS_OFFSET = PREFIX_LENGTH_OFFSET + Short.BYTES;
  public static final int SLOT_SIZE = Short.BYTES;
  /** Bytes available for offsets and cells. */
  public static final int USABLE = PAGE_SIZE - SLOTS_OFFSET;

  public static final int LEAF_CELL_HEADER = 2 * Short.BYTES;
  public static final int INNER_CELL_HEADER = Short.BYTES;
  public static final int CHILD_SIZE = Long.BYTES;
  public static final int OVERFLOW_BIT = 0x8000;
  public static final int OVERFLOW_REF_SIZE = Long.BYTES + Integer.BYTES;

  /** Longest key; longer keys are refused with OperationFailedException. */
  public static final int MAX_KEY_SIZE = 256;
  /**
   * Largest leaf cell plus its offset entry: a third of a node, so that any three fit and a split of a full
   * node always yields two nodes that each hold the new cell.
   */
  public static final int MAX_LEAF_CELL = USABLE / 3;
  /**
   * Key plus value bytes of the largest cell with an inline value: a value stays in the leaf while it and
   * its key fit in {@link #MAX_LEAF_CELL} (see {@link #isInline}). A fixed quarter-page limit sent YCSB's
   * 1,120-byte records out of the leaf, so a get read two pages and a scan one page per record.
   */
  public static final int MAX_INLINE_PAYLOAD = MAX_LEAF_CELL - LEAF_CELL_HEADER - SLOT_SIZE;
  /** Longest value that stays in the leaf whatever its key (one of {@link #MAX_KEY_SIZE} bytes). */
  public static final int MAX_INLINE_VALUE = MAX_INLINE_PAYLOAD - MAX_KEY_SIZE;
  /**
   * Longest value packed into a value page with others (at least two fit in a page); longer ones get an
   * overflow chain. Without packing, a value just too long for the leaf would take a whole 4 KiB page.
   */
  public static final int MAX_PACKED_VALUE = 2000;
  /** Bit 31 of an out-of-leaf value's length word: the value is packed (slot in bits 16-30, length in 0-15). */
  public static final int PACKED_BIT = 0x8000_0000;
  /** Longest value (overflow chain of about 257 pages). */
  public static final int MAX_VALUE_SIZE = 1 << 20;
  /** Largest inner cell plus its offset entry. */
  public static final int MAX_INNER_CELL = INNER_CELL_HEADER + MAX_KEY_SIZE + CHILD_SIZE + SLOT_SIZE;
  /** A non-root node whose live bytes fall below this is merged with a sibling when they fit in one page. */
  public static final int UNDERFLOW_BYTES = USABLE / 4;

  public static final long MAGIC = 0x4545525442424452L; // "RDBBTREE" little-endian
  public static final int META_MAGIC_OFFSET = PageLayout.HEADER_SIZE;
  public static final int META_ROOT_OFFSET = META_MAGIC_OFFSET + Long.BYTES;
  public static final int META_HEIGHT_OFFSET = META_ROOT_OFFSET + Long.BYTES;
  public static final int META_FREE_LIST_OFFSET = META_HEIGHT_OFFSET + 2 * Integer.BYTES;
  public static final int META_SIZE = META_FREE_LIST_OFFSET + Long.BYTES;

  public static final long FREE_LIST_MAGIC = 0x4545524642424452L; // "RDBBFREE" little-endian
  public static final int FREE_LIST_MAGIC_OFFSET = PageLayout.HEADER_SIZE;
  public static final int FREE_LIST_HEAD_OFFSET = FREE_LIST_MAGIC_OFFSET + Long.BYTES;
  public static final int FREE_LIST_COUNT_OFFSET = FREE_LIST_HEAD_OFFSET + Long.BYTES;
  public static final int FREE_NEXT_OFFSET = PageLayout.HEADER_SIZE;

  public static final int OVERFLOW_NEXT_OFFSET = PageLayout.HEADER_SIZE;
  public static final int OVERFLOW_LENGTH_OFFSET = OVERFLOW_NEXT_OFFSET + Long.BYTES;
  public static final int OVERFLOW_DATA_OFFSET = OVERFLOW_LENGTH_OFFSET + Integer.BYTES;
  public static final int OVERFLOW_CAPACITY = PAGE_SIZE - OVERFLOW_DATA_OFFSET;

  static {
    if (3 * MAX_LEAF_CELL > USABLE) throw new AssertionError("three maximal leaf cells must fit in a node");
  }

  private BTreeNodeLayout() {}

  /** Whether a value of {@code valueLength} bytes under a key of {@code keyLength} bytes stays in the leaf. */
  public static boolean isInline(int keyLength, int valueLength) {
    return keyLength + valueLength <= MAX_INLINE_PAYLOAD;
  }
}
