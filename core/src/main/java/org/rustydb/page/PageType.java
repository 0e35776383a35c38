package org.rustydb.page;

/**
 * What a page holds, stored in the low byte of the header's flags so that recovery and {@code verify} can
 * tell pages apart without knowing the engine. Codes are part of the on-disk format: never renumber.
 */
public enum PageType {
  /** Zeroed or freed: never written since allocation, or on the file's free list. */
  FREE(0),
  HEAP(1),
  BTREE_INNER(2),
  BTREE_LEAF(3),
  HASH_DIRECTORY(4),
  HASH_BUCKET(5),
  COLUMN_CHUNK(6),
  OVERFLOW(7),
  LSM_BLOCK(8),
  /** A file's own metadata page (the disk manager's header page). */
  FILE_HEADER(9),
  /** Several B+tree values too long for a leaf, one per slot of a slotted page. */
  BTREE_VALUES(10);

  private static final PageType[] BY_CODE = new PageType[256];

  static {
    for (PageType t : values()) BY_CODE[t.code] = t;
  }

  private final int code;

  PageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with this code, or null if no type has it (a corrupt or newer page). */
  public static PageType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
