package org.rustydb.engine.btree;

/**
 * The seam through which the WAL will see every B+tree change. Each method is called <em>before</em> the
 * page change it describes, while the caller holds the exclusive latches of every page named, so that a
 * logger can append a record and stamp its LSN on those pages. Each call carries what redo needs (the new
 * bytes) and what undo needs (the old bytes). Structure changes (split, merge, new root, collapse) are
 * system changes: redo-only, never undone by a transaction abort (docs/architecture.md, "B+tree").
 *
 * <p>Page ids are {@link org.rustydb.disk.PageId} longs; keys and values are the caller's arrays and must
 * not be changed or kept past the call. A value stored in an overflow chain is logged whole here, before
 * the chain is written.
 */
public interface BTreeChangeLog {

  /** Logs nothing: the default until the WAL integration plugs in. */
  BTreeChangeLog NONE = new BTreeChangeLog() {};

  /** Leaf {@code page} gets a new entry. Undo: delete {@code key}. */
  default void insert(long page, byte[] key, byte[] value) {}

  /** Leaf {@code page}'s entry for {@code key} changes from {@code oldValue} to {@code newValue}. */
  default void replace(long page, byte[] key, byte[] oldValue, byte[] newValue) {}

  /** Leaf {@code page} loses the entry {@code key} whose value was {@code oldValue}. Undo: insert it. */
  default void delete(long page, byte[] key, byte[] oldValue) {}

  /**
   * Node {@code left} (at {@code level}) splits: entries from {@code separator} upward move to the new page
   * {@code right}, and {@code parent} gets the entry (separator, right). For leaves {@code rightSibling}
   * (or -1) has its prev link set to {@code right}.
   */
  default void split(long left, long right, long parent, int level, byte[] separator, long rightSibling) {}

  /**
   * Node {@code right} is merged into its left sibling {@code left} (at {@code level}); {@code parent} loses
   * its entry {@code separator}; {@code right} becomes free. For leaves {@code rightSibling} (or -1) has its
   * prev link set to {@code left}.
   */
  default void merge(long left, long right, long parent, int level, byte[] separator, long rightSibling) {}

  /** The tree grows: {@code newRoot} (at {@code level}) holds (oldRoot, separator, right). */
  default void newRoot(long meta, long oldRoot, long newRoot, int level, byte[] separator, long right) {}

  /** The tree shrinks: inner root {@code oldRoot} with no separators left gives way to its only child. */
  default void collapseRoot(long meta, long oldRoot, long newRoot) {}

  /**
   * Bulk load only: page {@code page} was built whole in a new page and is logged as a full image (redo
   * only) after it was filled and before its latch is released.
   */
  default void pageImage(long page, byte[] image) {}

  /** Page {@code page} left the tree and goes on the tree's free list (redo: push it). */
  default void pageFreed(long page) {}

  /** Page {@code page} is taken off the free list for reuse (redo: pop it). */
  default void pageReused(long page) {}

  /** An overflow page {@code page} gets {@code length} bytes of a value (redo: the bytes; undo: none). */
  default void overflowPage(long page, long next, byte[] value, int offset, int length) {}
}
