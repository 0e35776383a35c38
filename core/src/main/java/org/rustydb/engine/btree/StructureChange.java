package org.rustydb.engine.btree;

import java.util.ArrayList;
import java.util.List;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.page.PageDiff;
import org.rustydb.page.PageLayout;
import org.rustydb.txn.Transaction;
import org.rustydb.txn.TransactionManager;
import org.rustydb.wal.Durability;

/**
 * The pages one B+tree structure change touches (a split, a merge, a new root, an overflow chain written or
 * freed, a bulk load), all latched exclusively until {@link #commit()} logs the change as one system
 * transaction ({@link TransactionManager#beginSystem()}): per page, the byte ranges that changed since the
 * page was first tracked (redo: new bytes, undo: old bytes; a page new to the file is logged whole). So a
 * crash leaves a structure change whole or, undone in place by recovery, not at all.
 *
 * <p>Pages freed by the change are pushed on the tree's free list only when it commits ({@link #free}):
 * the free-list page is then the last latch taken, after every page of the tree the change needs.
 *
 * <p>Closing without a commit (an exception) copies the tracked pages' old bytes back and aborts what was
 * already logged with {@link #logNow}. An unlogged tree ({@code tm} null) tracks nothing and undoes nothing.
 */
final class StructureChange implements AutoCloseable {

  private static final byte[] ZERO_PAGE = new byte[PageLayout.PAGE_SIZE];
  private static final byte[] ZERO_IMAGE = zeroImage();

  private static byte[] zeroImage() {
    byte[] image = PageDiff.image(ZERO_PAGE, BTreeLogLayout.OP_SIZE);
    image[0] = BTreeLogLayout.OP_IMAGE;
    return image;
  }

  private final BufferPool pool;
  private final TransactionManager tm;
  private final List<WriteGuard> guards = new ArrayList<>();
  private final List<byte[]> before = new ArrayList<>(); // null: a page new to the file
  private final List<Boolean> owned = new ArrayList<>();
  private final List<WriteGuard> frees = new ArrayList<>();
  private Transaction system;
  private boolean committed;

  StructureChange(BufferPool pool, TransactionManager tm) {
    this.pool = pool;
    this.tm = tm;
  }

  /** Page {@code pageId} latched exclusively and tracked: the one already held, or latched now. */
  WriteGuard write(long pageId) {
    for (WriteGuard g : guards) if (g.pageId() == pageId) return g;
    WriteGuard g = pool.write(pageId);
    add(g, snapshot(g), true);
    return g;
  }

  /** Tracks a page the caller latched exclusively and hands it over: the change releases it. */
  WriteGuard adopt(WriteGuard g) {
    add(g, snapshot(g), true);
    return g;
  }

  /** Tracks a page the caller latched and releases itself (a node of its path); a no-op if tracked. */
  void track(WriteGuard g) {
    for (WriteGuard h : guards) if (h == g) return;
    add(g, snapshot(g), false);
  }

  /** Tracks a page just allocated in the file (zeroed, latched): it is logged as a whole image. */
  WriteGuard adoptNew(WriteGuard g) {
    add(g, null, true);
    return g;
  }

  /** Page {@code g} (tracked, unreachable from the tree once the change is done) goes on the free list. */
  void free(WriteGuard g) {
    frees.add(g);
  }

  List<WriteGuard> frees() {
    return frees;
  }

  private void add(WriteGuard g, byte[] snapshot, boolean own) {
    guards.add(g);
    before.add(snapshot);
    owned.add(own);
  }

  private byte[] snapshot(WriteGuard g) {
    if (tm == null) return ZERO_PAGE; // not logged: nothing to compare with
    byte[] copy = new byte[PageLayout.PAGE_SIZE];
    g.getBytes(0, copy, 0, copy.length);
    return copy;
  }

  /**
   * Logs the tracked page {@code g} now and releases it (its own latch only): bulk load builds pages no one
   * else can reach and cannot keep all of them latched.
   */
  void logNow(WriteGuard g) {
    int i = guards.indexOf(g);
    if (i < 0) throw new IllegalArgumentException("page " + g.pageId() + " is not part of this change");
    logPage(i);
    if (owned.get(i)) g.close();
    guards.remove(i);
    before.remove(i);
    owned.remove(i);
  }

  /** Logs every tracked page's change as one system transaction and releases the pages it latched. */
  void commit() {
    if (tm != null) {
      for (int i = 0; i < guards.size(); i++) logPage(i);
      if (system != null) system.commit(Durability.NO_SYNC);
    }
    committed = true;
    release();
  }

  private void logPage(int i) {
    if (tm == null) return;
    WriteGuard g = guards.get(i);
    byte[] after = new byte[PageLayout.PAGE_SIZE];
    g.getBytes(0, after, 0, after.length);
    byte[] old = before.get(i);
    byte[] redo;
    byte[] undo;
    // Each page goes back to its old bytes before it is logged: the log applies the change itself, after a
    // full-page image of the page as it was (an image holding the change would survive a crash that loses
    // this record, with no undo for it).
    if (old == null) { // new to the file: a whole image, undone by zeroing it
      if (java.util.Arrays.equals(after, ZERO_PAGE)) return;
      redo = PageDiff.image(after, BTreeLogLayout.OP_SIZE);
      redo[0] = BTreeLogLayout.OP_IMAGE;
      undo = ZERO_IMAGE;
      g.segment().fill((byte) 0);
    } else {
      byte[][] d = PageDiff.diff(old, after, BTreeLogLayout.OP_SIZE);
      if (d == null) return;
      redo = d[0];
      redo[0] = BTreeLogLayout.OP_DIFF;
      undo = d[1];
      undo[0] = BTreeLogLayout.OP_DIFF;
      PageDiff.apply(undo, BTreeLogLayout.OP_SIZE, g.segment());
    }
    if (system == null) system = tm.beginSystem();
    tm.logUpdate(system, g, BTreeNodeLayout.ENGINE_ID, redo, undo);
    before.set(i, after); // logged: a later logPage of the same page logs only what changed since
  }

  @Override
  public void close() {
    if (committed) return;
    RuntimeException failure = null;
    if (tm != null) {
      for (int i = 0; i < guards.size(); i++) {
        byte[] old = before.get(i);
        guards.get(i).putBytes(0, old == null ? ZERO_PAGE : old, 0, PageLayout.PAGE_SIZE);
      }
    }
    release();
    if (system != null) {
      try {
        system.abort();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (failure != null) throw failure;
  }

  private void release() {
    for (int i = guards.size() - 1; i >= 0; i--) if (owned.get(i)) guards.get(i).close();
    guards.clear();
    before.clear();
    owned.clear();
  }
}
