package org.rustydb.page;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The byte layout of every 4 KiB page: a 32-byte header, then (for slotted pages) the slot array growing
 * toward the page end, free space, and tuple data packed from the page end toward the header. All fields
 * little-endian.
 *
 * <pre>
 *  offset  size  field
 *  ------  ----  ------------------------------------------------------------------------------
 *       0     8  page id            PageId of this page (file id << 40 | page number)
 *       8     8  LSN                log sequence number of the last change (WAL byte position)
 *      16     4  checksum           CRC32C of all 4096 bytes with this field taken as zero
 *      20     4  free-space offset  lowest byte of tuple data (PAGE_SIZE when the page holds none)
 *      24     4  slot count         slots in the slot array, live and deleted
 *      28     4  flags              byte 0: page type (PageType code), byte 1: owning engine id,
 *                                   bit 16: "may hold deleted slots" hint (spares inserts a slot
 *                                   scan when clear), bits 17-31: reserved, zero
 *      32        slot array         slot i at 32 + 4*i
 *
 *  slot:   0   2  tuple offset (0xFFFF = deleted)
 *          2   2  tuple length
 *
 *  +--------+--------+--------+--------+--------+--------+----------------------------+
 *  | pageId |  LSN   |  crc   | freeOf | nSlots | flags  | slot0 slot1 ... slotN-1 -> |
 *  +--------+--------+--------+--------+--------+--------+----------------------------+
 *  |                          free space                                              |
 *  +----------------------------------------------------------------------------------+
 *  |                         <- tuple N-1 ... tuple 1 tuple 0 (packed toward the end)  |
 *  +----------------------------------------------------------------------------------+
 * </pre>
 *
 * <p>The spec lists a 4-byte "reserved" word besides these fields, which would make the header 36 bytes,
 * not the 32 it states and its sample code uses; we keep 32 bytes and keep the spare space in the top half
 * of {@code flags} (docs/architecture.md, errata).
 */
public final class PageLayout {

  public static final int PAGE_SIZE = 4096;

  public static final int PAGE_ID_OFFSET = 0;
  public static final int LSN_OFFSET = PAGE_ID_OFFSET + Long.BYTES;
  public static final int CHECKSUM_OFFSET = LSN_OFFSET + Long.BYTES;
  public static final int FREE_SPACE_OFFSET = CHECKSUM_OFFSET + Integer.BYTES;
  public static final int SLOT_COUNT_OFFSET = FREE_SPACE_OFFSET + Integer.BYTES;
  public static final int FLAGS_OFFSET = SLOT_COUNT_OFFSET + Integer.BYTES;
  public static final int HEADER_SIZE = FLAGS_OFFSET + Integer.BYTES;

  public static final int SLOT_OFFSET_FIELD = 0;
  public static final int SLOT_LENGTH_FIELD = SLOT_OFFSET_FIELD + Short.BYTES;
  public static final int SLOT_SIZE = SLOT_LENGTH_FIELD + Short.BYTES;

  /** Flags bit: some slot may be deleted. Set by delete, cleared when a scan finds none. */
  public static final int FLAG_MAY_HAVE_TOMBSTONES = 1 << 16;

  /** Tuple offset stored in a deleted slot. */
  public static final int DELETED_OFFSET = 0xFFFF;

  /** The largest tuple a slotted page holds: everything after the header and one slot. */
  public static final int MAX_TUPLE_SIZE = PAGE_SIZE - HEADER_SIZE - SLOT_SIZE;

  /** The most slots a page can have (all tuples empty). */
  public static final int MAX_SLOTS = (PAGE_SIZE - HEADER_SIZE) / SLOT_SIZE;

  static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private PageLayout() {}

  /** The byte offset of slot {@code slot}'s entry in the slot array. */
  public static int slotEntryOffset(int slot) {
    return HEADER_SIZE + slot * SLOT_SIZE;
  }
}
