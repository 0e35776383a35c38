package org.rustydb.engine.btree;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.rustydb.OperationFailedException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.page.PageDiff;
import org.rustydb.memory.TransactionArena;
import org.rustydb.memory.TransactionProfile;
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
 *
 * <h2>Working memory: a transaction arena</h2>
 * The page snapshots (4 KiB each) are the change's working memory: they live exactly as long as the change
 * (its system transaction) and are all dropped when it commits or aborts, which is what a
 * {@link TransactionArena} is for. The arena is taken from the database's pool
 * ({@link TransactionManager#acquireArena}) at the first snapshot, so a change that only adopts new pages
 * takes none, and closed (an O(1) reset; its chunks go back to the pool for the next change) when the
 * change commits or closes. Its profile is {@link #PROFILE}: a split or merge tracks a few pages per tree
 * level (the path, a sibling, the free-list page and a reused free page), 6 to 30 pages for trees of 2 to
 * 8 levels, so its 32 KiB first chunk holds the common leaf split and its 512 KiB limit (128 pages) is
 * well above the deepest tree's need; changes that touch pages one after another (an overflow chain,
 * a bulk load, a free batch) reuse the slot of each page they released ({@link #logNow}). A change that
 * would pass the limit, or whose arena the memory budget cannot cover, fails with an
 * {@link OperationFailedException} before it changed anything more: its pages are restored and the
 * operation fails alone. The diff is computed between the snapshot and the page in its frame, and the
 * snapshot becomes the after image by applying the redo diff to it: no page is copied to the Java heap.
 * Without a memory manager the snapshots are heap arrays.
 *
 * <p>The arena is confined to the thread that made the first snapshot: a change runs on one thread.
 */
final class StructureChange implements AutoCloseable {

  /** The arena profile of a structure change's page snapshots (see the class comment). */
  static final TransactionProfile PROFILE = TransactionProfile.SMALL;

  private static final int PAGE = PageLayout.PAGE_SIZE;
  private static final byte[] ZERO_PAGE = new byte[PAGE];
  private static final MemorySegment ZERO_SEGMENT = MemorySegment.ofArray(ZERO_PAGE);
  private static final byte[] ZERO_IMAGE = zeroImage();
  private static final byte[] NO_UNDO = new byte[0];

  private static byte[] zeroImage() {
    byte[] image = PageDiff.image(ZERO_PAGE, BTreeLogLayout.OP_SIZE);
    image[0] = BTreeLogLayout.OP_IMAGE;
    return image;
  }

  private final BufferPool pool;
  private final TransactionManager tm;
  private final TransactionProfile profile;
  private final List<WriteGuard> guards = new ArrayList<>();
  private final List<MemorySegment> before = new ArrayList<>(); // null: a page new to the file
  private final List<Boolean> owned = new ArrayList<>();
  /** Per tracked page, the {@link BTreeLogLayout#OP_REBUILD} redo of its rebuild ({@link #rebuilt}), or null. */
  private final List<byte[]> rebuilds = new ArrayList<>();
  private final List<WriteGuard> frees = new ArrayList<>();
  /** Snapshot slots of pages no longer tracked ({@link #logNow}), for the next snapshot. */
  private final ArrayDeque<MemorySegment> spare = new ArrayDeque<>();
  private TransactionArena arena; // taken at the first snapshot; null before, or without a memory manager
  private Transaction system;
  private boolean committed;
  /** Pages logged redo-only ({@link #commit}): their LSNs become the commit record's. */
  private final List<WriteGuard> redoOnlyPages = new ArrayList<>();

  StructureChange(BufferPool pool, TransactionManager tm) {
    this(pool, tm, PROFILE);
  }

  /** With snapshots in an arena of {@code profile} (tests reach a small profile's limit with it). */
  StructureChange(BufferPool pool, TransactionManager tm, TransactionProfile profile) {
    this.pool = pool;
    this.tm = tm;
    this.profile = profile;
  }

  /** Page {@code pageId} latched exclusively and tracked: the one already held, or latched now. */
  WriteGuard write(long pageId) {
    WriteGuard g = held(pageId);
    return g != null ? g : adopt(pool.write(pageId));
  }

  /** The tracked guard of page {@code pageId}, or null if this change does not hold it. */
  WriteGuard held(long pageId) {
    for (WriteGuard g : guards) if (g.pageId() == pageId) return g;
    return null;
  }

  /**
   * Tracks a page the caller latched exclusively and hands it over: the change releases it (at once if
   * its snapshot cannot be taken, e.g. past the arena's limit).
   */
  WriteGuard adopt(WriteGuard g) {
    MemorySegment snapshot;
    try {
      snapshot = snapshot(g);
    } catch (RuntimeException | Error e) {
      g.close();
      throw e;
    }
    add(g, snapshot, true);
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

  /** The arena holding the snapshots, null before the first one (for tests). */
  TransactionArena arena() {
    return arena;
  }

  private void add(WriteGuard g, MemorySegment snapshot, boolean own) {
    guards.add(g);
    before.add(snapshot);
    owned.add(own);
    rebuilds.add(null);
  }

  /**
   * Says that tracked page {@code g} was rebuilt as {@code redo} (an {@link BTreeLogLayout#OP_REBUILD} of
   * the entries it had when it was tracked): at the commit the page is logged as that rebuild, which carries
   * only the entries moved in, and a diff of whatever else changed (sibling links), instead of a diff of
   * the whole rewritten cell area (a split's left leaf: 1.2 KB of YCSB's 4.4 KB of log per insert). Either
   * way the log takes the page from its snapshot to its bytes at the commit: a rebuild that described the
   * change badly would only leave a larger diff. Pages logged early ({@link #logNow}) are diffed as before.
   */
  void rebuilt(WriteGuard g, byte[] redo) {
    if (tm == null) return;
    for (int i = 0; i < guards.size(); i++) {
      if (guards.get(i) == g) {
        if (before.get(i) == null || rebuilds.get(i) != null) {
          throw new IllegalStateException("page " + g.pageId() + ": only a tracked page's first rebuild is logged as one");
        }
        rebuilds.set(i, redo);
        return;
      }
    }
    throw new IllegalArgumentException("page " + g.pageId() + " is not part of this change");
  }

  private MemorySegment snapshot(WriteGuard g) {
    if (tm == null) return ZERO_SEGMENT; // not logged: nothing to compare with
    MemorySegment copy = slot();
    copy.copyFrom(g.segment());
    return copy;
  }

  /** A 4 KiB slot for a snapshot: a released one, else a new one from the arena (taken now if need be). */
  private MemorySegment slot() {
    MemorySegment s = spare.pollFirst();
    if (s != null) return s;
    if (arena == null) {
      arena = tm.acquireArena(profile);
      if (arena == null) return MemorySegment.ofArray(new byte[PAGE]); // no memory manager
    }
    return arena.allocate(PAGE, 64);
  }

  /**
   * Logs the tracked page {@code g} now and releases it (its own latch only): bulk load builds pages no one
   * else can reach and cannot keep all of them latched.
   */
  void logNow(WriteGuard g) {
    int i = guards.indexOf(g);
    if (i < 0) throw new IllegalArgumentException("page " + g.pageId() + " is not part of this change");
    logPage(i, false);
    if (owned.get(i)) g.close();
    guards.remove(i);
    MemorySegment s = before.remove(i);
    if (s != null && s != ZERO_SEGMENT) spare.addFirst(s);
    owned.remove(i);
    rebuilds.remove(i);
  }

  /**
   * Logs every tracked page's change as one system transaction and releases the pages it latched. The
   * pages are still latched, so their updates are redo-only: each page's LSN is raised to the commit
   * record's before it is released, so no page reaches the disk before the commit is durable, and
   * recovery skips the updates of a change whose commit it does not find
   * ({@link TransactionManager#logUpdate}). A split logs its rewritten pages once instead of twice.
   */
  void commit() {
    if (tm != null) {
      // No checkpoint may begin between the updates and the commit: a page whose LSN is raised past a
      // checkpoint's start must have been logged after it, or its next change would skip the full-page
      // image that protects it from a torn write.
      tm.withoutCheckpoint(() -> {
        for (int i = 0; i < guards.size(); i++) logPage(i, true);
        if (system != null) {
          system.commit(Durability.NO_SYNC);
          long commitLsn = system.commitLsn();
          for (WriteGuard g : redoOnlyPages) g.setLong(PageLayout.LSN_OFFSET, commitLsn);
        }
      });
    }
    committed = true;
    release();
  }

  /** Logs tracked page i's change: redo-only while the page stays latched to the commit, else undoable. */
  private void logPage(int i, boolean redoOnly) {
    if (tm == null) return;
    WriteGuard g = guards.get(i);
    MemorySegment page = g.segment();
    MemorySegment old = before.get(i);
    MemorySegment after = null;
    byte[] redo;
    byte[] undo;
    byte[] rebuild = rebuilds.get(i);
    if (rebuild != null && redoOnly) {
      if (system == null) system = tm.beginSystem();
      // Log the rebuild from the snapshot's bytes (the log applies it, after a full-page image if one is
      // due), then go on from what it made: the diff below then holds only what else changed.
      MemorySegment now = slot();
      now.copyFrom(page);
      page.copyFrom(old);
      tm.logUpdate(system, g, BTreeNodeLayout.ENGINE_ID, rebuild, NO_UNDO);
      redoOnlyPages.add(g);
      long lsn = page.get(BTreeNode.I64, PageLayout.LSN_OFFSET); // the rebuild's: no range of the diff for it
      old.copyFrom(page);
      page.copyFrom(now);
      page.set(BTreeNode.I64, PageLayout.LSN_OFFSET, lsn);
      spare.addFirst(now);
      rebuilds.set(i, null);
    }
    // Each page goes back to its old bytes before it is logged: the log applies the change itself, after a
    // full-page image of the page as it was (an image holding the change would survive a crash that loses
    // this record, with no undo for it).
    if (old == null) { // new to the file: a whole image, undone by zeroing it
      if (page.mismatch(ZERO_SEGMENT) < 0) return;
      after = slot();
      after.copyFrom(page);
      redo = PageDiff.image(after, BTreeLogLayout.OP_SIZE);
      redo[0] = BTreeLogLayout.OP_IMAGE;
      undo = ZERO_IMAGE;
      page.fill((byte) 0);
    } else {
      byte[][] d = PageDiff.diff(old, page, BTreeLogLayout.OP_SIZE);
      if (d == null) return;
      redo = d[0];
      redo[0] = BTreeLogLayout.OP_DIFF;
      undo = d[1];
      undo[0] = BTreeLogLayout.OP_DIFF;
      PageDiff.apply(undo, BTreeLogLayout.OP_SIZE, page);
      // The snapshot becomes the page as it was before logging (the diff's ranges hold every byte that
      // differs), so a later logPage of the same page logs only what changed since.
      PageDiff.apply(redo, BTreeLogLayout.OP_SIZE, old);
    }
    if (system == null) system = tm.beginSystem();
    tm.logUpdate(system, g, BTreeNodeLayout.ENGINE_ID, redo, redoOnly ? NO_UNDO : undo);
    if (redoOnly) redoOnlyPages.add(g);
    if (old == null) before.set(i, after); // logged: a later logPage of the same page logs only what changed since
  }

  @Override
  public void close() {
    if (committed) return;
    if (!redoOnlyPages.isEmpty()) {
      // commit() failed after logging part of the change redo-only: only the log's appends come after the
      // first such update, so the log has failed or closed and no page can reach the disk any more (a
      // write-back flushes the log first). The change can neither be undone nor finished: recovery skips
      // it, as a change without its commit. The pages stay as they are, and are released.
      release();
      return;
    }
    RuntimeException failure = null;
    if (tm != null) {
      for (int i = 0; i < guards.size(); i++) {
        MemorySegment old = before.get(i);
        guards.get(i).segment().copyFrom(old == null ? ZERO_SEGMENT : old);
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

  /** Releases the pages it latched and closes the arena: every snapshot is gone after this. */
  private void release() {
    for (int i = guards.size() - 1; i >= 0; i--) if (owned.get(i)) guards.get(i).close();
    guards.clear();
    before.clear();
    owned.clear();
    rebuilds.clear();
    spare.clear();
    if (arena != null) {
      arena.close();
      arena = null;
    }
  }
}
