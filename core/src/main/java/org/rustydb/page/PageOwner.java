package org.rustydb.page;

/**
 * The engine ids stored in byte 1 of a page's flags ({@link SlottedPage#owner()}): recovery routes a page's
 * log records to the resource manager with the same id, and {@code verify} picks the checker. Part of the
 * on-disk format: never renumber, only add.
 */
public final class PageOwner {

  /** No engine: disk-manager pages, free pages, pages of tests. */
  public static final int NONE = 0;
  /** {@code org.rustydb.engine.heap}: heap table pages. */
  public static final int HEAP = 1;
  /** {@code org.rustydb.engine.btree}: B+tree nodes, meta, free-list and overflow pages. */
  public static final int BTREE = 2;

  private PageOwner() {}
}
