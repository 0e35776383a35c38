package org.rustydb.engine.btree;

import org.rustydb.CorruptionException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageDiff;
import org.rustydb.page.PageLayout;
import org.rustydb.txn.Compensator;
import org.rustydb.txn.ResourceManager;

/**
 * The B+tree's redo and undo handlers (payloads in {@link BTreeLogLayout}). Redo writes byte ranges or a
 * whole image into the page, or rebuilds a node from its own entries and the logged ones. Undo of a structure change writes the old bytes back in place; undo of a user's
 * put or delete is logical: it opens the tree of the record's file (its meta page is always page
 * {@link BTree#META_PAGE_NO}) and puts the old value back (whole, or patched into the key's current value)
 * or deletes the key, wherever the key lives now.
 * One per database; the trees themselves hold no state outside their pages.
 */
public final class BTreeResourceManager implements ResourceManager {

  /** The B+tree's resource manager id, also its pages' owner byte. */
  public static final int ID = BTreeNodeLayout.ENGINE_ID;

  private final BufferPool pool;

  public BTreeResourceManager(BufferPool pool) {
    this.pool = pool;
  }

  @Override
  public int id() {
    return ID;
  }

  @Override
  public String name() {
    return "btree";
  }

  @Override
  public void redo(WriteGuard page, byte[] redo, long lsn) {
    switch (redo[0]) {
      case BTreeLogLayout.OP_DIFF -> PageDiff.apply(redo, BTreeLogLayout.OP_SIZE, page.segment());
      case BTreeLogLayout.OP_IMAGE -> PageDiff.applyImage(redo, BTreeLogLayout.OP_SIZE, page.segment());
      case BTreeLogLayout.OP_REBUILD -> BTreeLogLayout.applyRebuild(redo, page.segment());
      default -> throw new CorruptionException("B+tree page " + PageId.toString(page.pageId()) + ": unknown redo op "
          + redo[0]);
    }
    page.setLong(PageLayout.LSN_OFFSET, lsn);
  }

  @Override
  public boolean redoReadsPage(byte[] redo) {
    return redo[0] != BTreeLogLayout.OP_IMAGE;
  }

  @Override
  public byte[] compensation(WriteGuard page, byte[] undo) {
    if (undo[0] != BTreeLogLayout.OP_DIFF && undo[0] != BTreeLogLayout.OP_IMAGE) {
      throw new CorruptionException("B+tree page " + PageId.toString(page.pageId()) + ": undo op " + undo[0]
          + " is neither a page diff nor an image");
    }
    return undo; // the old bytes (or the zeroed page), written back as the compensation's redo
  }

  @Override
  public boolean undoesLogically(byte[] undo) {
    return undo[0] == BTreeLogLayout.OP_RESTORE || undo[0] == BTreeLogLayout.OP_RESTORE_PATCH;
  }

  @Override
  public void undoLogically(Compensator clr, long pageId, byte[] undo) {
    BTree tree = BTree.open(pool, PageId.fileId(pageId), clr.manager());
    if (undo[0] == BTreeLogLayout.OP_RESTORE_PATCH) {
      tree.restorePatch(clr, undo);
    } else {
      tree.restore(clr, BTreeLogLayout.restoreKey(undo), BTreeLogLayout.restoreValue(undo));
    }
  }
}
