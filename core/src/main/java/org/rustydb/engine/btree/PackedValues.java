package org.rustydb.engine.btree;

import static org.rustydb.engine.btree.BTreeNodeLayout.*;

import java.lang.foreign.MemorySegment;
import org.rustydb.CorruptionException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageType;
import org.rustydb.page.SlottedPage;

/**
 * Values too long for the leaf ({@link BTreeNodeLayout#isInline}) and at most
 * {@link BTreeNodeLayout#MAX_PACKED_VALUE} bytes: too short to deserve pages of their own. They share value
 * pages (slotted pages of type {@link PageType#BTREE_VALUES}), one value per slot; a leaf cell names the
 * page and the slot. So 50,000 values of 1,400 bytes take 25,000 pages instead of 50,000.
 *
 * <p>The tree writes and frees them in structure changes of their own (system transactions), as it does
 * overflow chains: a value is written before the leaf names it and freed after the leaf stops naming it.
 * A page whose last value is freed goes back on the tree's free list.
 */
final class PackedValues {

  private PackedValues() {}

  /** Whether a value of {@code length} bytes under a key of {@code keyLength} bytes is packed. */
  static boolean packs(int keyLength, int length) {
    return !isInline(keyLength, length) && length <= MAX_PACKED_VALUE;
  }

  /** Formats the zeroed page {@code page} (id {@code pageId}) as an empty value page. */
  static void format(MemorySegment page, long pageId) {
    new SlottedPage().wrap(page).format(pageId, PageType.BTREE_VALUES).setOwner(ENGINE_ID);
  }

  /** Whether {@code page} is a value page of a B+tree with room for a value of {@code length} bytes. */
  static boolean hasRoom(MemorySegment page, int length) {
    return isValuePage(page) && new SlottedPage().wrap(page).maxInsertSize() >= length;
  }

  static boolean isValuePage(MemorySegment page) {
    int flags = page.get(BTreeNode.I32, FLAGS_OFFSET);
    return (flags & 0xFF) == PageType.BTREE_VALUES.code() && ((flags >>> 8) & 0xFF) == ENGINE_ID;
  }

  /** Stores {@code value} in value page {@code page} (checked with {@link #hasRoom}); returns its slot. */
  static int insert(MemorySegment page, byte[] value) {
    int slot = new SlottedPage().wrap(page).insert(value);
    if (slot < 0) throw new IllegalStateException("value page has no room for " + value.length + " bytes");
    return slot;
  }

  /**
   * Frees slot {@code slot} of value page {@code page}; returns the values left there and the room now
   * free, as {@code {live, maxInsertSize}}.
   *
   * @throws CorruptionException when the page is no value page or the slot is not in use
   */
  static int[] remove(MemorySegment page, long pageId, int slot) {
    SlottedPage sp = new SlottedPage().wrap(page);
    String problem = problem(page, slot, -1);
    if (problem != null) throw corrupt(pageId, problem);
    sp.delete(slot);
    return new int[] {sp.liveCount(), sp.maxInsertSize()};
  }

  /**
   * Writes {@code value} over the value of the same length in slot {@code slot} of {@code page} and returns
   * the old value.
   *
   * @throws CorruptionException when the page is no value page or the slot holds no value of that length
   */
  static byte[] replace(MemorySegment page, long pageId, int slot, byte[] value) {
    String problem = problem(page, slot, value.length);
    if (problem != null) throw corrupt(pageId, problem);
    SlottedPage sp = new SlottedPage().wrap(page);
    byte[] old = sp.read(slot);
    sp.update(slot, value);
    return old;
  }

  /** The value of {@code length} bytes in slot {@code slot} of value page {@code pageId}. */
  static byte[] read(BufferPool pool, long pageId, int slot, int length) {
    try (ReadGuard g = pool.read(pageId)) {
      return read(g, slot, length);
    }
  }

  /** The value of {@code length} bytes in slot {@code slot} of the value page under {@code g}. */
  static byte[] read(ReadGuard g, int slot, int length) {
    String problem = problem(g.segment(), slot, length);
    if (problem != null) throw corrupt(g.pageId(), problem);
    return new SlottedPage().wrap(g.segment()).read(slot);
  }

  /** What is wrong with slot {@code slot} (of {@code length} bytes; -1: any) of {@code page}, or null. */
  static String problem(MemorySegment page, int slot, int length) {
    if (!isValuePage(page)) {
      int flags = page.get(BTreeNode.I32, FLAGS_OFFSET);
      return "not a B+tree value page (type " + (flags & 0xFF) + ", engine " + ((flags >>> 8) & 0xFF) + ")";
    }
    SlottedPage sp = new SlottedPage().wrap(page);
    if (!sp.isLive(slot)) return "slot " + slot + " holds no value";
    if (length >= 0 && sp.length(slot) != length) {
      return "slot " + slot + " holds " + sp.length(slot) + " bytes, the leaf says " + length;
    }
    return null;
  }

  private static CorruptionException corrupt(long pageId, String what) {
    return new CorruptionException("B+tree value page " + PageId.toString(pageId) + ": " + what);
  }
}
