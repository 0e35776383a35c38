package org.rustydb.page;

import static org.rustydb.page.PageLayout.DELETED_OFFSET;
import static org.rustydb.page.PageLayout.FLAGS_OFFSET;
import static org.rustydb.page.PageLayout.FLAG_MAY_HAVE_TOMBSTONES;
import static org.rustydb.page.PageLayout.FREE_SPACE_OFFSET;
import static org.rustydb.page.PageLayout.HEADER_SIZE;
import static org.rustydb.page.PageLayout.LSN_OFFSET;
import static org.rustydb.page.PageLayout.MAX_SLOTS;
import static org.rustydb.page.PageLayout.PAGE_ID_OFFSET;
import static org.rustydb.page.PageLayout.PAGE_SIZE;
import static org.rustydb.page.PageLayout.SLOT_COUNT_OFFSET;
import static org.rustydb.page.PageLayout.SLOT_LENGTH_FIELD;
import static org.rustydb.page.PageLayout.SLOT_SIZE;
import static org.rustydb.page.PageLayout.U16;
import static org.rustydb.page.PageLayout.U32;
import static org.rustydb.page.PageLayout.U64;
import static org.rustydb.page.PageLayout.slotEntryOffset;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.rustydb.CorruptionException;
import org.rustydb.disk.PageId;

/**
 * A flyweight view of a slotted page (layout in {@link PageLayout}) over a 4 KiB {@link MemorySegment}: a
 * buffer-pool frame or an I/O buffer. One view can be re-pointed with {@link #wrap} at page after page, so
 * reading a page allocates nothing; only {@link #read} copies a tuple out.
 *
 * <p>Record ids are (page id, slot id) and are stored in indexes, so a slot id never changes while its tuple
 * lives: {@link #compact()} moves tuple bytes, never slots. A deleted slot keeps its place in the array
 * (offset {@code 0xFFFF}) and may be reused by a later {@link #insert}.
 *
 * <p>Space: {@link #freeSpace()} is the contiguous gap between the slot array and the tuple data. Deletes
 * and shrinking updates leave holes in the tuple area; an insert or update that does not fit the gap but
 * fits once the holes are squeezed out compacts the page first, so callers see one number that matters —
 * {@link #usableSpace()} — and a {@link #PAGE_FULL} answer only when the page truly lacks room, in which
 * case the page is unchanged.
 *
 * <p>Not thread-safe: the buffer pool's latches guard the page; the view itself belongs to one thread.
 */
public final class SlottedPage {

  /** Returned by {@link #insert} and {@link #update} when the tuple does not fit; the page is unchanged. */
  public static final int PAGE_FULL = -1;

  private static final int RESERVED_FLAG_BITS = ~(0xFFFF | FLAG_MAY_HAVE_TOMBSTONES);

  private MemorySegment page;

  /** Points this view at a page. The segment must be exactly {@value PageLayout#PAGE_SIZE} bytes. */
  public SlottedPage wrap(MemorySegment segment) {
    if (segment.byteSize() != PAGE_SIZE) {
      throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, not " + segment.byteSize());
    }
    this.page = segment;
    return this;
  }

  /** The segment this view is over. */
  public MemorySegment segment() {
    return page;
  }

  /** Formats the wrapped segment as an empty slotted page (LSN 0, no slots, checksum not yet set). */
  public SlottedPage format(long pageId, PageType type) {
    page.fill((byte) 0);
    page.set(U64, PAGE_ID_OFFSET, pageId);
    page.set(U32, FREE_SPACE_OFFSET, PAGE_SIZE);
    page.set(U32, FLAGS_OFFSET, type.code());
    return this;
  }

  // ---- header -------------------------------------------------------------------------------------

  public long pageId() {
    return page.get(U64, PAGE_ID_OFFSET);
  }

  public long lsn() {
    return page.get(U64, LSN_OFFSET);
  }

  public void setLsn(long lsn) {
    page.set(U64, LSN_OFFSET, lsn);
  }

  /** The page type, or null if the flags hold an unknown code (see {@link #problem()}). */
  public PageType type() {
    return PageType.fromCode(page.get(U32, FLAGS_OFFSET) & 0xFF);
  }

  /** The id of the engine that owns this page (0 = none); recovery routes redo records by it. */
  public int owner() {
    return (page.get(U32, FLAGS_OFFSET) >>> 8) & 0xFF;
  }

  public void setOwner(int engineId) {
    if (engineId < 0 || engineId > 0xFF) throw new IllegalArgumentException("engine id out of range 0..255: " + engineId);
    int flags = page.get(U32, FLAGS_OFFSET);
    page.set(U32, FLAGS_OFFSET, (flags & ~0xFF00) | (engineId << 8));
  }

  public int slotCount() {
    return page.get(U32, SLOT_COUNT_OFFSET);
  }

  private int freeSpaceOffset() {
    return page.get(U32, FREE_SPACE_OFFSET);
  }

  /** Contiguous free bytes between the slot array and the tuple data. */
  public int freeSpace() {
    return freeSpaceOffset() - slotEntryOffset(slotCount());
  }

  /** Free bytes once deleted and shrunk tuples' holes are compacted away. */
  public int usableSpace() {
    return PAGE_SIZE - slotEntryOffset(slotCount()) - liveBytes();
  }

  /** The largest tuple {@link #insert} would accept now; negative when not even an empty one fits. */
  public int maxInsertSize() {
    int usable = usableSpace();
    if (firstDeletedSlot() >= 0) return usable;
    return slotCount() >= MAX_SLOTS ? -1 : usable - SLOT_SIZE;
  }

  // ---- slots ------------------------------------------------------------------------------------

  /** Whether {@code slot} holds a live tuple. Out-of-range slots are not live. */
  public boolean isLive(int slot) {
    return slot >= 0 && slot < slotCount() && slotOffset(slot) != DELETED_OFFSET;
  }

  /** The first live slot at or after {@code from}, or -1: iteration without allocation. */
  public int nextLive(int from) {
    int n = slotCount();
    for (int s = Math.max(0, from); s < n; s++) {
      if (slotOffset(s) != DELETED_OFFSET) return s;
    }
    return -1;
  }

  /** The number of live tuples. */
  public int liveCount() {
    int n = 0;
    for (int s = nextLive(0); s >= 0; s = nextLive(s + 1)) n++;
    return n;
  }

  public int length(int slot) {
    checkLive(slot);
    return slotLength(slot);
  }

  /** A view of the tuple's bytes inside the page (valid until the page changes). */
  public MemorySegment tuple(int slot) {
    checkLive(slot);
    return page.asSlice(slotOffset(slot), slotLength(slot));
  }

  /** A copy of the tuple's bytes. */
  public byte[] read(int slot) {
    checkLive(slot);
    byte[] out = new byte[slotLength(slot)];
    MemorySegment.copy(page, slotOffset(slot), MemorySegment.ofArray(out), 0, out.length);
    return out;
  }

  /**
   * Stores a tuple and returns its slot id, reusing a deleted slot when there is one, or returns
   * {@link #PAGE_FULL} (page unchanged) if it does not fit.
   */
  public int insert(byte[] tuple) {
    return insert(MemorySegment.ofArray(tuple));
  }

  /** As {@link #insert(byte[])}, from a segment (a tuple staged off-heap, or another page's tuple). */
  public int insert(MemorySegment tuple) {
    int len = checkTupleLength(tuple.byteSize());
    int slot = firstDeletedSlot();
    int slotCost = slot >= 0 ? 0 : SLOT_SIZE;
    if (slot < 0 && slotCount() >= MAX_SLOTS) return PAGE_FULL;
    if (freeSpace() < len + slotCost) {
      if (usableSpace() < len + slotCost) return PAGE_FULL;
      compact();
    }
    if (slot < 0) {
      slot = slotCount();
      page.set(U32, SLOT_COUNT_OFFSET, slot + 1);
      // No tombstone was found: clear the hint so the next insert skips the scan.
      page.set(U32, FLAGS_OFFSET, page.get(U32, FLAGS_OFFSET) & ~FLAG_MAY_HAVE_TOMBSTONES);
    }
    placeTuple(slot, tuple, len);
    return slot;
  }

  /**
   * Replaces the tuple in {@code slot}: in place when it is no longer than before, else moved within the
   * page (the slot id stays). Returns {@code slot}, or {@link #PAGE_FULL} (page unchanged) if it does not fit.
   */
  public int update(int slot, byte[] tuple) {
    return update(slot, MemorySegment.ofArray(tuple));
  }

  public int update(int slot, MemorySegment tuple) {
    checkLive(slot);
    int len = checkTupleLength(tuple.byteSize());
    int oldLen = slotLength(slot);
    if (len <= oldLen) {
      int off = slotOffset(slot);
      MemorySegment.copy(tuple, 0, page, off, len);
      setSlot(slot, off, len);
      return slot;
    }
    if (freeSpace() < len) {
      // The old tuple's bytes become free once it moves, so they count toward the room.
      if (usableSpace() + oldLen < len) return PAGE_FULL;
      setSlot(slot, DELETED_OFFSET, 0);
      compact();
    }
    placeTuple(slot, tuple, len);
    return slot;
  }

  /** Deletes the tuple in {@code slot}; the slot id is not reused for anything else until a new insert. */
  public void delete(int slot) {
    checkLive(slot);
    setSlot(slot, DELETED_OFFSET, 0);
    page.set(U32, FLAGS_OFFSET, page.get(U32, FLAGS_OFFSET) | FLAG_MAY_HAVE_TOMBSTONES);
    trimTrailingDeletedSlots();
  }

  /**
   * Packs live tuples against the page end, in place, so the free space is one gap. Slot ids do not
   * change. Tuples move toward higher offsets in order of decreasing offset, so no copy overwrites a
   * tuple that has not moved yet.
   */
  public void compact() {
    int n = slotCount();
    long[] byOffset = new long[n];
    int live = 0;
    for (int s = 0; s < n; s++) {
      int off = slotOffset(s);
      if (off != DELETED_OFFSET) byOffset[live++] = ((long) off << 32) | s;
    }
    Arrays.sort(byOffset, 0, live);
    int end = PAGE_SIZE;
    for (int i = live - 1; i >= 0; i--) {
      int s = (int) byOffset[i];
      int off = (int) (byOffset[i] >>> 32);
      int len = slotLength(s);
      end -= len;
      if (end != off) MemorySegment.copy(page, off, page, end, len);
      setSlot(s, end, len);
    }
    page.set(U32, FREE_SPACE_OFFSET, end);
  }

  // ---- consistency ------------------------------------------------------------------------------

  /**
   * Checks the header and slot array for consistency, returning null when they are sound or a description
   * of the first problem found: a free-space offset or slot count past the page, a slot outside the tuple
   * area, overlapping tuples, an unknown page type. Does not check the checksum ({@link PageChecksum}).
   */
  public String problem() {
    int flags = page.get(U32, FLAGS_OFFSET);
    if (type() == null) return "unknown page type code " + (flags & 0xFF);
    if ((flags & RESERVED_FLAG_BITS) != 0) return "reserved flag bits set: 0x" + Integer.toHexString(flags);
    int n = slotCount();
    if (n < 0 || n > MAX_SLOTS) return "slot count " + Integer.toUnsignedString(n) + " exceeds " + MAX_SLOTS;
    int free = freeSpaceOffset();
    int slotsEnd = slotEntryOffset(n);
    if (free < slotsEnd || free > PAGE_SIZE) {
      return "free-space offset " + Integer.toUnsignedString(free) + " outside " + slotsEnd + ".." + PAGE_SIZE;
    }
    long[] extents = new long[n];
    int live = 0;
    for (int s = 0; s < n; s++) {
      int off = slotOffset(s);
      if (off == DELETED_OFFSET) continue;
      int len = slotLength(s);
      if (off < free || off + len > PAGE_SIZE) {
        return "slot " + s + " (offset " + off + ", length " + len + ") outside the tuple area " + free + ".." + PAGE_SIZE;
      }
      if (len > 0) extents[live++] = ((long) off << 32) | s; // an empty tuple occupies no bytes
    }
    Arrays.sort(extents, 0, live);
    for (int i = 1; i < live; i++) {
      int prev = (int) extents[i - 1];
      int cur = (int) extents[i];
      if (slotOffset(prev) + slotLength(prev) > slotOffset(cur)) {
        return "slots " + prev + " and " + cur + " overlap";
      }
    }
    return null;
  }

  /** Throws a {@link CorruptionException} naming the page if {@link #problem()} finds one. */
  public void checkConsistent() {
    String problem = problem();
    if (problem != null) {
      throw new CorruptionException("page " + PageId.toString(pageId()) + ": " + problem);
    }
  }

  // ---- internals ---------------------------------------------------------------------------------

  private void placeTuple(int slot, MemorySegment tuple, int len) {
    int off = freeSpaceOffset() - len;
    MemorySegment.copy(tuple, 0, page, off, len);
    page.set(U32, FREE_SPACE_OFFSET, off);
    setSlot(slot, off, len);
  }

  /** The lowest deleted slot, or -1. The flags hint makes this free on pages that never had a delete. */
  private int firstDeletedSlot() {
    if ((page.get(U32, FLAGS_OFFSET) & FLAG_MAY_HAVE_TOMBSTONES) == 0) return -1;
    int n = slotCount();
    for (int s = 0; s < n; s++) {
      if (slotOffset(s) == DELETED_OFFSET) return s;
    }
    return -1;
  }

  /** Deleted slots at the end of the array are given back as free space; ids below stay as they are. */
  private void trimTrailingDeletedSlots() {
    int n = slotCount();
    while (n > 0 && slotOffset(n - 1) == DELETED_OFFSET) n--;
    page.set(U32, SLOT_COUNT_OFFSET, n);
    if (n == 0) page.set(U32, FREE_SPACE_OFFSET, PAGE_SIZE);
  }

  private int liveBytes() {
    int n = slotCount();
    int sum = 0;
    for (int s = 0; s < n; s++) {
      if (slotOffset(s) != DELETED_OFFSET) sum += slotLength(s);
    }
    return sum;
  }

  private int slotOffset(int slot) {
    return Short.toUnsignedInt(page.get(U16, slotEntryOffset(slot)));
  }

  private int slotLength(int slot) {
    return Short.toUnsignedInt(page.get(U16, slotEntryOffset(slot) + SLOT_LENGTH_FIELD));
  }

  private void setSlot(int slot, int offset, int length) {
    int at = slotEntryOffset(slot);
    page.set(U16, at, (short) offset);
    page.set(U16, at + SLOT_LENGTH_FIELD, (short) length);
  }

  private void checkLive(int slot) {
    int n = slotCount();
    if (slot < 0 || slot >= n) {
      throw new IllegalArgumentException(
          "slot " + slot + " out of range 0.." + (n - 1) + " on page " + PageId.toString(pageId()));
    }
    if (slotOffset(slot) == DELETED_OFFSET) {
      throw new IllegalArgumentException("slot " + slot + " is deleted on page " + PageId.toString(pageId()));
    }
  }

  private static int checkTupleLength(long len) {
    if (len > PageLayout.MAX_TUPLE_SIZE) {
      throw new IllegalArgumentException(
          "tuple of " + len + " bytes exceeds the page maximum of " + PageLayout.MAX_TUPLE_SIZE);
    }
    return (int) len;
  }
}
