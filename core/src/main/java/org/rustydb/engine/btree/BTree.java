package org.rustydb.engine.btree;

import static org.rustydb.engine.btree.BTreeNodeLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rustydb.CorruptionException;
import org.rustydb.OperationFailedException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.OptimisticGuard;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageDiff;
import org.rustydb.page.PageType;
import org.rustydb.txn.Compensator;
import org.rustydb.txn.Transaction;
import org.rustydb.txn.TransactionManager;

/**
 * A B+tree of byte-array keys (compared as unsigned bytes) and values, stored in one page file through the
 * buffer pool. The file's first tree page is the meta page (root page id, height); nodes follow
 * {@link BTreeNodeLayout}.
 *
 * <h2>Concurrency</h2>
 * No tree lock: latch coupling with the pool's guards, always top-down (meta page, root, ..., leaf), and
 * between siblings only left to right; the free-list page is always the last latch taken.
 * <ul>
 *   <li>Gets find the leaf with validated versions above it ({@link #findLeaf}: no latch, nothing written
 *       to shared memory) and latch only the leaf, shared; after a few failed validations they couple
 *       shared latches down to the leaf, holding one latch at a time below the meta page.</li>
 *   <li>Writers first find the leaf the same way and take it exclusively. If
 *       the change fits without a split, or a delete leaves the leaf at least a quarter full, it is done
 *       there. Otherwise the writer starts again pessimistically: exclusive latches from the meta page down;
 *       an insert releases every ancestor as soon as a node is safe (has room for a maximal separator), a
 *       delete keeps the whole path because a merge may reach the root. An insert that does not fit splits
 *       the leaf first (without the new entry) and then starts over.</li>
 *   <li>Cursors never hold latches between calls and never follow sibling links: they copy what they need
 *       from one leaf and descend again for the next, using the node fences gathered on the way down
 *       ({@link BTreeCursor}). So no thread ever waits for a left sibling while holding a right one.</li>
 * </ul>
 *
 * <h2>Logging (when made with a {@link TransactionManager})</h2>
 * A user's put or delete changes one leaf and is logged as one update of its transaction: redo = the byte
 * ranges of the leaf that changed ({@link PageDiff}), undo = logical (put the old value back, or delete the
 * key), because a later split may move the key to another page. The key is write-locked for the
 * transaction first ({@link org.rustydb.txn.LockManager}, by a 64-bit hash of the key: two keys with the
 * same hash conflict, which is rare and only costs a retry). Every other change — splits, merges, new or
 * collapsed roots, overflow chains, free-list pushes and pops, bulk load — is a {@link StructureChange}:
 * one system transaction, committed before its pages are released and never undone by a user's abort.
 * Formats: {@link BTreeLogLayout}.
 *
 * <h2>Simplifications (documented in docs/architecture.md)</h2>
 * Each node stores its keys' common prefix once (see {@link BTreeNodeLayout}); separators are suffix-truncated. Underflow:
 * a non-root node under a quarter full is merged with a sibling under the same parent when both fit in one
 * page, otherwise left as it is (no redistribution); the logical undo of an insert never merges. Pages
 * freed by merges, root collapses and replaced or deleted overflow chains go on the tree's own free list (a
 * page beside the meta page) for reuse.
 */
public final class BTree {

  /** The meta page's number in a tree's own file: page 0 is the file header, the tree's first page is 1. */
  public static final long META_PAGE_NO = 1;

  private final BufferPool pool;
  private final int fileId;
  private final long metaPageId;
  private final long freeListPageId;
  private final TransactionManager tm; // null: not logged
  private final CommittedValues committed = new CommittedValues();

  private BTree(BufferPool pool, long metaPageId, long freeListPageId, TransactionManager tm) {
    this.pool = pool;
    this.fileId = PageId.fileId(metaPageId);
    this.metaPageId = metaPageId;
    this.freeListPageId = freeListPageId;
    this.tm = tm;
  }

  /** Creates an empty, unlogged tree in file {@code fileId} (tests and benchmarks). */
  public static BTree create(BufferPool pool, int fileId) {
    return create(pool, fileId, null);
  }

  /**
   * Creates an empty tree in file {@code fileId}: a meta page, a free-list page and an empty root leaf. With
   * {@code tm} its changes are logged; then the file must be new and empty, so that the meta page is page
   * {@link #META_PAGE_NO} (recovery finds the tree there).
   */
  public static BTree create(BufferPool pool, int fileId, TransactionManager tm) {
    Objects.requireNonNull(pool, "pool");
    try (StructureChange sc = new StructureChange(pool, tm)) {
      WriteGuard meta = sc.adoptNew(pool.newPage(fileId));
      WriteGuard free = sc.adoptNew(pool.newPage(fileId));
      WriteGuard root = sc.adoptNew(pool.newPage(fileId));
      if (tm != null && PageId.pageNo(meta.pageId()) != META_PAGE_NO) {
        throw new IllegalArgumentException("file " + fileId + " is not empty: the tree's meta page would be page "
            + PageId.pageNo(meta.pageId()));
      }
      BTreeNode.init(root.segment(), root.pageId(), 0);
      MemorySegment f = free.segment();
      f.set(BTreeNode.I64, 0, free.pageId());
      f.set(BTreeNode.I32, FLAGS_OFFSET, PageType.FILE_HEADER.code() | (ENGINE_ID << 8));
      f.set(BTreeNode.I64, FREE_LIST_MAGIC_OFFSET, FREE_LIST_MAGIC);
      f.set(BTreeNode.I64, FREE_LIST_HEAD_OFFSET, -1L);
      MemorySegment m = meta.segment();
      m.set(BTreeNode.I64, 0, meta.pageId());
      m.set(BTreeNode.I32, FLAGS_OFFSET, PageType.FILE_HEADER.code() | (ENGINE_ID << 8));
      m.set(BTreeNode.I64, META_MAGIC_OFFSET, MAGIC);
      m.set(BTreeNode.I64, META_ROOT_OFFSET, root.pageId());
      m.set(BTreeNode.I32, META_HEIGHT_OFFSET, 1);
      m.set(BTreeNode.I64, META_FREE_LIST_OFFSET, free.pageId());
      BTree t = new BTree(pool, meta.pageId(), free.pageId(), tm);
      sc.commit();
      return t;
    }
  }

  /** Opens the tree of file {@code fileId} (made by {@link #create(BufferPool, int, TransactionManager)}). */
  public static BTree open(BufferPool pool, int fileId, TransactionManager tm) {
    return open(pool, PageId.of(fileId, META_PAGE_NO), tm);
  }

  /** Opens the unlogged tree whose meta page is {@code metaPageId} (as returned by {@link #metaPageId()}). */
  public static BTree open(BufferPool pool, long metaPageId) {
    return open(pool, metaPageId, null);
  }

  private static BTree open(BufferPool pool, long metaPageId, TransactionManager tm) {
    try (ReadGuard m = pool.read(metaPageId)) {
      if (m.getLong(META_MAGIC_OFFSET) != MAGIC) {
        throw new CorruptionException("page " + PageId.toString(metaPageId) + " is not a B+tree meta page: magic 0x"
            + Long.toHexString(m.getLong(META_MAGIC_OFFSET)) + " at offset " + META_MAGIC_OFFSET);
      }
      return new BTree(pool, metaPageId, m.getLong(META_FREE_LIST_OFFSET), tm);
    }
  }

  public long metaPageId() {
    return metaPageId;
  }

  BufferPool pool() {
    return pool;
  }

  long freeListPageId() {
    return freeListPageId;
  }

  /** Pages on the tree's free list. */
  public long freePages() {
    try (ReadGuard f = pool.read(freeListPageId)) {
      return f.getLong(FREE_LIST_COUNT_OFFSET);
    }
  }

  /** Levels from root to leaf (1 when the root is a leaf). */
  public int height() {
    try (ReadGuard m = pool.read(metaPageId)) {
      return m.getInt(META_HEIGHT_OFFSET);
    }
  }

  long rootPageId() {
    try (ReadGuard m = pool.read(metaPageId)) {
      return m.getLong(META_ROOT_OFFSET);
    }
  }

  // ------------------------------------------------------------------ page allocation and logging

  private StructureChange change() {
    return new StructureChange(pool, tm);
  }

  /**
   * A zeroed page, latched exclusively and tracked by {@code sc}: the head of the tree's free list, else a
   * new page of the file. Only unreachable pages are latched after the free-list page.
   *
   * <p>An empty list is seen under a shared latch and left alone: latched exclusively, it made every split
   * of the tree wait for the one before it to commit (an insert-only YCSB run spent a sixth of its client
   * time there), and tracked it cost a page snapshot and a diff that found nothing. A page freed just after
   * the look stays on the list for the next allocation.
   */
  private WriteGuard allocPage(StructureChange sc) {
    if (sc.held(freeListPageId) == null && freeListEmpty()) return sc.adoptNew(pool.newPage(fileId));
    WriteGuard f = sc.write(freeListPageId);
    long head = f.getLong(FREE_LIST_HEAD_OFFSET);
    if (head == -1) return sc.adoptNew(pool.newPage(fileId));
    WriteGuard g = sc.write(head);
    f.setLong(FREE_LIST_HEAD_OFFSET, g.getLong(FREE_NEXT_OFFSET));
    f.setLong(FREE_LIST_COUNT_OFFSET, f.getLong(FREE_LIST_COUNT_OFFSET) - 1);
    g.segment().fill((byte) 0);
    return g;
  }

  private boolean freeListEmpty() {
    try (ReadGuard f = pool.read(freeListPageId)) {
      return f.getLong(FREE_LIST_HEAD_OFFSET) == -1;
    }
  }

  /** Pushes the pages {@code sc} freed on the free list, then logs and ends the change. */
  private void commit(StructureChange sc) {
    for (WriteGuard g : sc.frees()) {
      WriteGuard f = sc.write(freeListPageId);
      MemorySegment p = g.segment();
      p.asSlice(FREE_OFFSET, PAGE_SIZE - FREE_OFFSET).fill((byte) 0);
      p.set(BTreeNode.I32, FLAGS_OFFSET, PageType.FREE.code() | (ENGINE_ID << 8));
      p.set(BTreeNode.I64, FREE_NEXT_OFFSET, f.getLong(FREE_LIST_HEAD_OFFSET));
      f.setLong(FREE_LIST_HEAD_OFFSET, g.pageId());
      f.setLong(FREE_LIST_COUNT_OFFSET, f.getLong(FREE_LIST_COUNT_OFFSET) + 1);
    }
    sc.commit();
  }

  /**
   * Frees an overflow chain that no leaf references any more (called with no latch held), in structure
   * changes of at most {@link #FREE_BATCH} pages so a long chain never pins much of the pool; a crash
   * between two of them leaves the rest of the chain unreachable (leaked, harmless).
   */
  private void freeChain(long first) {
    List<Long> pages = OverflowChain.pages(pool, first);
    for (int from = 0; from < pages.size(); from += FREE_BATCH) {
      try (StructureChange sc = change()) {
        for (long page : pages.subList(from, Math.min(pages.size(), from + FREE_BATCH))) sc.free(sc.write(page));
        commit(sc);
      }
    }
  }

  private static final int FREE_BATCH = 16;

  /**
   * Remembers entry {@code i}'s out-of-leaf value, which the change about to happen unlinks, in
   * {@code old = {page, length word}} for {@link #freeValue} ({@code page} stays -1 for an inline value).
   */
  private static void noteOldValue(BTreeNode n, int i, long[] old) {
    if (!n.isOverflow(i)) return;
    old[0] = n.overflowPage(i);
    old[1] = n.overflowWord(i);
  }

  /** Frees a value no leaf names any more (noted by {@link #noteOldValue}); called with no latch held. */
  private void freeValue(long[] old) {
    if (old[0] == -1) return;
    if ((old[1] & PACKED_BIT) != 0) freePacked(old[0], (int) (old[1] >>> 16) & 0x7FFF);
    else freeChain(old[0]);
  }

  /**
   * A value page that had room lately: where the next packed value goes first. A hint, checked under the
   * page's latch (the page may have been freed and reused since); lost at close.
   */
  private volatile long fillPage = -1;

  /**
   * Stores {@code value} in a value page ({@link PackedValues}) as a structure change of its own, committed
   * before any leaf names it, and returns the leaf cell for {@code key} that names it.
   */
  private byte[] packValue(byte[] key, byte[] value) {
    try (StructureChange sc = change()) {
      long hint = fillPage;
      if (hint != -1) {
        WriteGuard g = pool.write(hint); // nothing else is latched: any page may be waited for here
        if (PackedValues.hasRoom(g.segment(), value.length)) {
          sc.adopt(g);
          int slot = PackedValues.insert(g.segment(), value);
          commit(sc);
          return BTreeNode.leafPackedCell(key, hint, slot, value.length);
        }
        g.close(); // released before the free-list page, which is only ever the last latch
      }
      WriteGuard g = allocPage(sc);
      PackedValues.format(g.segment(), g.pageId());
      int slot = PackedValues.insert(g.segment(), value);
      long page = g.pageId();
      commit(sc);
      fillPage = page;
      return BTreeNode.leafPackedCell(key, page, slot, value.length);
    }
  }

  /** Frees slot {@code slot} of value page {@code page}; the page goes on the free list when it empties. */
  private void freePacked(long page, int slot) {
    try (StructureChange sc = change()) {
      WriteGuard g = sc.write(page);
      int[] left = PackedValues.remove(g.segment(), page, slot);
      if (left[0] == 0) sc.free(g);
      else if (left[1] > MAX_INLINE_VALUE) fillPage = page; // room for the next one: fill holes before new pages
      commit(sc);
    }
  }

  /**
   * Who a leaf change belongs to: a user transaction (logged as its update, undone by key), the rollback
   * of one (logged as the compensation record), or nobody (an unlogged tree).
   */
  private record Op(Transaction txn, Compensator clr) {
    static final Op UNLOGGED = new Op(null, null);
  }

  /**
   * A thread's copy of a page before its change, off the heap like the frames: the diff then compares
   * two native segments, as a structure change's does. Comparing heap arrays here and native segments
   * there made the diff's loop polymorphic, and which kind the JIT saw first decided whether every
   * insert ran at one speed or at half of it.
   */
  private static final ThreadLocal<MemorySegment> SNAPSHOT =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(PAGE_SIZE, Long.BYTES));

  /** The leaf's bytes before a change, for its redo diff; null when the tree is not logged. */
  private MemorySegment snapshot(WriteGuard leaf) {
    if (tm == null) return null;
    MemorySegment before = SNAPSHOT.get();
    before.copyFrom(leaf.segment());
    return before;
  }

  /**
   * Logs a user's change to {@code key} from {@code old} to {@code value} (null: absent before, deleted
   * now), undone by putting {@code old} back or deleting the key, and, for a transaction's first change to
   * the key, remembers {@code old} as its committed value for readers. Call before releasing the changed page.
   */
  private void logKeyChange(Op op, WriteGuard page, MemorySegment before, byte[] key, byte[] old, byte[] value) {
    if (tm == null) return;
    if (op.txn() != null) committed.remember(op.txn(), key, old);
    // A rollback's change is a compensation: redo only, its undo is never read.
    logChange(op, page, before, op.clr() != null ? null : BTreeLogLayout.undo(key, old, value));
  }

  /**
   * Logs the change of {@code leaf} (a leaf, or a value page whose value was replaced in place) since
   * {@code before} for {@code op}, with the logical {@code undo}.
   */
  private void logChange(Op op, WriteGuard leaf, MemorySegment before, byte[] undo) {
    if (tm == null) return;
    byte[][] d = PageDiff.diff(before, leaf.segment(), BTreeLogLayout.OP_SIZE);
    if (d == null) { // the same value put again: nothing to redo, nothing to undo
      // A rollback still writes its one compensation record (the undo chain moves on): an empty diff.
      if (op.clr() != null) op.clr().log(leaf, new byte[] {BTreeLogLayout.OP_DIFF, 0, 0});
      return;
    }
    byte[] redo = d[0];
    redo[0] = BTreeLogLayout.OP_DIFF;
    // Back to the old bytes: the log applies the change itself, after a full-page image of the page as it
    // was (the image must not hold a change whose record a crash could still lose).
    PageDiff.apply(d[1], BTreeLogLayout.OP_SIZE, leaf.segment());
    if (op.clr() != null) {
      op.clr().log(leaf, redo);
    } else {
      tm.logUpdate(op.txn(), leaf, ENGINE_ID, redo, undo);
    }
  }

  /** A transaction's changes to this tree need a transaction manager, and a transaction's to a logged tree. */
  private Op op(Transaction txn) {
    if (tm == null) {
      if (txn != null) throw new IllegalStateException("this B+tree is not logged: it takes no transaction");
      return Op.UNLOGGED;
    }
    Objects.requireNonNull(txn, "a logged B+tree changes only inside a transaction");
    return new Op(txn, null);
  }

  /** Write-locks {@code key} for the op's transaction (no-op for rollbacks and unlogged trees). */
  private void lock(Op op, byte[] key) {
    if (op.txn() != null) tm.locks().lock(op.txn(), fileId, keyHash(key));
  }

  /** A 64-bit hash of the key (FNV-1a, then a final mix) naming its row lock. */
  static long keyHash(byte[] key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }

  // ------------------------------------------------------------------ argument checks

  static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length > MAX_KEY_SIZE) {
      throw new OperationFailedException("key too large: " + key.length + " bytes, max " + MAX_KEY_SIZE);
    }
  }

  static void checkValue(byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > MAX_VALUE_SIZE) {
      throw new OperationFailedException("value too large: " + value.length + " bytes, max " + MAX_VALUE_SIZE);
    }
  }

  // ------------------------------------------------------------------ get

  /** The committed value stored under {@code key}, or null. */
  public byte[] get(byte[] key) {
    return get(null, key);
  }

  /**
   * The value stored under {@code key} as {@code reader} sees it (null: outside any transaction), or null:
   * the committed value, or the reader's own uncommitted one (read committed; see {@link CommittedValues}).
   */
  public byte[] get(Transaction reader, byte[] key) {
    checkKey(key);
    try (ReadGuard leaf = descendRead(key)) {
      BTreeNode n = new BTreeNode(leaf.segment());
      int i = n.search(key);
      CommittedValues.Before b = committed.of(key, reader);
      if (b != null) return b.value() == null ? null : b.value().clone();
      return i < 0 ? null : visibleValue(n, i, key, reader);
    }
  }

  /**
   * The value of entry {@code i} of {@code leaf} (held latched), which no other transaction had changed when
   * looked up under that latch. A packed value's page can change under a shared leaf latch (a same-length
   * replace), so that value is read and its key looked up again under the value page's latch.
   */
  private byte[] visibleValue(BTreeNode leaf, int i, byte[] key, Transaction reader) {
    if (!leaf.isOverflow(i) || !leaf.isPacked(i)) return value(leaf, i);
    try (ReadGuard page = pool.read(leaf.overflowPage(i))) {
      byte[] v = PackedValues.read(page, leaf.packedSlot(i), leaf.overflowLength(i));
      CommittedValues.Before b = committed.of(key, reader);
      return b == null ? v : b.value() == null ? null : b.value().clone();
    }
  }

  byte[] value(BTreeNode leaf, int i) {
    if (!leaf.isOverflow(i)) return leaf.inlineValue(i);
    if (leaf.isPacked(i)) return PackedValues.read(pool, leaf.overflowPage(i), leaf.packedSlot(i), leaf.overflowLength(i));
    return OverflowChain.read(pool, leaf.overflowPage(i), leaf.overflowLength(i));
  }

  /**
   * The leaf for {@code key}, latched shared. The meta page and the inner nodes are read optimistically
   * (validated versions, as LeanStore's optimistic lock coupling): a shared latch is an atomic write to the
   * frame, and every descent latching the meta page and the root made their latch words the most written
   * lines of the process, moving between cores at every operation. After {@link #OPTIMISTIC_ATTEMPTS}
   * failed validations (writers busy on the path) the descent latches, as before.
   */
  private ReadGuard descendRead(byte[] key) {
    for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      Found found = findLeaf(key);
      if (found == null) continue;
      ReadGuard leaf = pool.read(found.leaf());
      if (found.stillValid(leaf.segment())) return leaf;
      leaf.close();
    }
    return descendLatched(key);
  }

  static final int OPTIMISTIC_ATTEMPTS = 4;

  /** The points of {@link #findLeaf} at which a test can change the tree ({@link #optimisticStep}). */
  enum Step {
    /** A node's child id was just read; the node is not yet validated (level: the node's). */
    CHILD_READ,
    /** The node was validated; its child is not yet read (level: the child's). */
    BEFORE_CHILD,
    /** The leaf's parent was validated; the caller is about to latch the leaf (level: 0). */
    BEFORE_LATCH
  }

  /** Tests only: called at each {@link Step} of {@link #findLeaf}; null otherwise. */
  interface StepHook {
    void at(Step step, int level);
  }

  StepHook optimisticStep;

  /**
   * Where {@link #findLeaf} ended: the leaf's page id and its parent (the meta page when the root is the
   * leaf), read optimistically and validated.
   */
  private record Found(long leaf, OptimisticGuard parent) {
    /**
     * Whether the leaf, now latched, is the one for the key: its parent has not changed since the leaf's
     * id was read from it (so no split or merge has moved the key), and it is a leaf.
     */
    boolean stillValid(MemorySegment latched) {
      return parent.validate() && new BTreeNode(latched).isLeaf();
    }
  }

  /**
   * Reads the path to {@code key}'s leaf with validated versions, latching nothing (lock coupling with
   * versions): each node's version is taken before its parent is validated again, so the parent pointed
   * to it for this key at a moment the node was already as read (a split of the node after the parent's
   * last validation would otherwise send the descent on through its half that lacks the key); and a
   * child id is used only after its node validated. Null when a validation failed (a writer was on the
   * path).
   */
  private Found findLeaf(byte[] key) {
    OptimisticGuard parent = pool.optimisticRead(metaPageId);
    try {
      long child = parent.getLong(META_ROOT_OFFSET);
      int level = parent.getInt(META_HEIGHT_OFFSET) - 1;
      if (!parent.validate()) return null;
      while (true) {
        if (optimisticStep != null) optimisticStep.at(Step.BEFORE_CHILD, level);
        OptimisticGuard g = pool.optimisticRead(child);
        if (!parent.validate()) return null; // the parent changed: child may no longer be the node for key
        if (level == 0) return found(child, parent); // the root is the leaf
        BTreeNode n = new BTreeNode(g.segment());
        if (n.level() != level) return null; // g is changing (or was reused): its validation will fail
        long next = n.child(n.childIndex(key));
        if (optimisticStep != null) optimisticStep.at(Step.CHILD_READ, level);
        if (!g.validate()) return null; // n was changing while read: next may be anything
        if (level == 1) return found(next, g);
        parent = g;
        child = next;
        level--;
      }
    } catch (RuntimeException changing) { // a node read while a writer moved its bytes: offsets out of the page
      return null;
    }
  }

  private Found found(long leaf, OptimisticGuard parent) {
    if (optimisticStep != null) optimisticStep.at(Step.BEFORE_LATCH, 0);
    return new Found(leaf, parent);
  }

  private ReadGuard descendLatched(byte[] key) {
    ReadGuard g = pool.read(metaPageId);
    try {
      ReadGuard c = pool.read(g.getLong(META_ROOT_OFFSET));
      g.close();
      g = c;
      for (BTreeNode n = new BTreeNode(g.segment()); !n.isLeaf(); n = new BTreeNode(g.segment())) {
        c = pool.read(n.child(n.childIndex(key)));
        g.close();
        g = c;
      }
      return g;
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /** The leaf for {@code key} latched exclusively, found with shared latches above it. */
  private record Leaf(WriteGuard guard, boolean isRoot) {}

  /** As {@link #descendRead}, with the leaf latched exclusively. */
  private Leaf descendWriteLeaf(byte[] key) {
    for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      Found found = findLeaf(key);
      if (found == null) continue;
      WriteGuard leaf = pool.write(found.leaf());
      if (found.stillValid(leaf.segment())) return new Leaf(leaf, found.parent().pageId() == metaPageId);
      leaf.close();
    }
    return descendWriteLatched(key);
  }

  private Leaf descendWriteLatched(byte[] key) {
    ReadGuard m = pool.read(metaPageId);
    ReadGuard g;
    try {
      long root = m.getLong(META_ROOT_OFFSET);
      if (m.getInt(META_HEIGHT_OFFSET) == 1) return new Leaf(pool.write(root), true);
      g = pool.read(root);
    } finally {
      m.close();
    }
    try {
      while (true) {
        BTreeNode n = new BTreeNode(g.segment());
        long child = n.child(n.childIndex(key));
        if (n.level() == 1) {
          WriteGuard w = pool.write(child);
          g.close();
          return new Leaf(w, false);
        }
        ReadGuard c = pool.read(child);
        g.close();
        g = c;
      }
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ put

  /** Stores {@code value} under {@code key} in an unlogged tree; returns true if the key was new. */
  public boolean put(byte[] key, byte[] value) {
    return put(op(null), key, value);
  }

  /**
   * Stores {@code value} under {@code key} as part of {@code txn}: the key is write-locked for {@code txn}
   * until it ends, and the change is undone if it aborts. Returns true if the key was new.
   *
   * @throws OperationFailedException on a write conflict (another transaction changed {@code key} and has
   *     not ended) or a key or value over the limits of {@link BTreeNodeLayout}
   */
  public boolean put(Transaction txn, byte[] key, byte[] value) {
    return put(op(txn), key, value);
  }

  /** Rollback: puts {@code oldValue} back under {@code key}, or deletes it when null. */
  void restore(Compensator clr, byte[] key, byte[] oldValue) {
    Op op = new Op(null, clr);
    if (oldValue != null) {
      put(op, key, oldValue);
    } else if (!delete(op, key)) {
      throw new CorruptionException("B+tree file " + fileId + ": the key a rollback must delete is missing");
    }
  }

  /**
   * Rollback of a same-length replace ({@link BTreeLogLayout#OP_RESTORE_PATCH}): the key's value now is the
   * replace's new value (its transaction still holds the key's lock, and its later changes were undone
   * first); writing the patch's old bytes over it gives the value to put back.
   */
  void restorePatch(Compensator clr, byte[] undo) {
    byte[] key = BTreeLogLayout.restoreKey(undo);
    restore(clr, key, BTreeLogLayout.patchedValue(undo, latest(key)));
  }

  /** The value stored under {@code key} now, committed or not; null if absent. */
  private byte[] latest(byte[] key) {
    try (ReadGuard leaf = descendRead(key)) {
      BTreeNode n = new BTreeNode(leaf.segment());
      int i = n.search(key);
      return i < 0 ? null : value(n, i);
    }
  }

  private boolean put(Op op, byte[] key, byte[] value) {
    checkKey(key);
    checkValue(value);
    lock(op, key);
    byte[] cell;
    if (PackedValues.packs(key.length, value.length)) {
      if (replacePacked(op, key, value)) return false;
      cell = packValue(key, value);
    } else if (!isInline(key.length, value.length)) {
      long chain;
      try (StructureChange sc = change()) { // the chain is unreachable until the leaf names it: log page by page
        chain = OverflowChain.write(() -> allocPage(sc), value, sc::logNow);
        commit(sc);
      }
      cell = BTreeNode.leafOverflowCell(key, chain, value.length);
    } else {
      cell = BTreeNode.leafCell(key, value);
    }
    Put put = new Put(key, value, cell, new long[] {-1, 0});
    Boolean done;
    do {
      Leaf leaf = descendWriteLeaf(key);
      try {
        done = putInLeaf(op, leaf.guard(), put);
      } finally {
        leaf.guard().close();
      }
      if (done == null) {
        done = switch (putUnderParent(op, put)) {
          case INSERTED -> Boolean.TRUE;
          case REPLACED -> Boolean.FALSE;
          case SPLIT -> null;
          case PARENT_FULL -> putPessimistic(op, put);
        };
      }
    } while (done == null);
    freeValue(put.oldChain());
    return done;
  }

  /**
   * One put: its key and value, the leaf cell that stores them, and the old value's overflow chain (filled
   * in when a replace unlinks one, freed after the put).
   */
  private record Put(byte[] key, byte[] value, byte[] cell, long[] oldChain) {}

  /**
   * Writes {@code value} over the packed value of {@code key} when it has one of the same length: one change
   * of the value page, logged for {@code op} and undone by key like any put, where a new slot would cost
   * three (the new value, the leaf's reference, the old value's free), each a structure change. Returns
   * false, having changed nothing, when {@code key} has no packed value of that length.
   *
   * <p>The leaf's shared latch keeps its reference, and so the slot, where it is meanwhile (only a leaf
   * change unlinks a value); the key's lock keeps other writers of this value out. Leaf before value page
   * is the order every reader takes too, and no one latches a leaf while holding a value page.
   */
  private boolean replacePacked(Op op, byte[] key, byte[] value) {
    try (ReadGuard leaf = descendRead(key)) {
      BTreeNode n = new BTreeNode(leaf.segment());
      int i = n.search(key);
      if (i < 0 || !n.isOverflow(i) || !n.isPacked(i) || n.overflowLength(i) != value.length) return false;
      try (WriteGuard g = pool.write(n.overflowPage(i))) {
        MemorySegment before = snapshot(g);
        byte[] old = PackedValues.replace(g.segment(), g.pageId(), n.packedSlot(i), value);
        logKeyChange(op, g, before, key, old, value);
      }
      return true;
    }
  }

  /** Inserts or replaces in place if the cell fits; null if the leaf must split. */
  private Boolean putInLeaf(Op op, WriteGuard g, Put put) {
    byte[] key = put.key();
    byte[] cell = put.cell();
    BTreeNode n = new BTreeNode(g.segment());
    int i = n.search(key);
    if (i >= 0) {
      // A value of the same length goes over the old one: only its changed bytes are logged, and a full
      // leaf (three large cells) needs no compaction.
      boolean inPlace = n.sameInlineLength(i, cell);
      if (!inPlace && n.totalFree() + n.cellLength(i) < cell.length - n.prefixLength()) return null;
      byte[] old = tm != null ? value(n, i) : null;
      MemorySegment before = snapshot(g);
      if (inPlace) {
        n.overwriteInlineValue(i, cell);
      } else {
        noteOldValue(n, i, put.oldChain());
        n.removeCell(i);
        n.insertCell(i, cell);
      }
      logKeyChange(op, g, before, key, old, put.value());
      return false;
    }
    if (!n.fits(cell)) return null;
    MemorySegment before = snapshot(g);
    n.insertCell(-i - 1, cell);
    logKeyChange(op, g, before, key, null, put.value());
    return true;
  }

  /**
   * Exclusive latches on a path from the top held node down to a leaf. If {@link #hasMeta}, entry 0 is the
   * meta page and entry 1 the root.
   */
  private static final class Path implements AutoCloseable {
    private final List<WriteGuard> guards = new ArrayList<>();
    private final List<Integer> index = new ArrayList<>(); // index taken in guards[j] to reach guards[j + 1]
    boolean hasMeta;

    void add(WriteGuard g) {
      guards.add(g);
      index.add(Integer.MIN_VALUE);
    }

    void setIndex(int idx) { index.set(index.size() - 1, idx); }
    int index(int j) { return index.get(j); }
    int size() { return guards.size(); }
    WriteGuard get(int j) { return guards.get(j); }
    BTreeNode node(int j) { return new BTreeNode(guards.get(j).segment()); }

    void trackAll(StructureChange sc) {
      for (WriteGuard g : guards) sc.track(g);
    }

    void releaseAll() {
      for (WriteGuard g : guards) g.close();
      guards.clear();
      index.clear();
      hasMeta = false;
    }

    @Override
    public void close() {
      releaseAll();
    }
  }

  /** What {@link #putUnderParent} did. */
  private enum UnderParent { INSERTED, REPLACED, SPLIT, PARENT_FULL }

  /**
   * Puts, or splits the leaf, holding only the leaf and its parent exclusively: shared latches down to the
   * parent's parent, then the parent and the leaf exclusively. Most splits need nothing more, and the fully
   * pessimistic path latches the meta page and the root exclusively on its way down, which stops every
   * reader of the tree while it waits (with three large records to a leaf, every other insert splits).
   * {@code PARENT_FULL}, having changed nothing, when the parent cannot take the separator the change adds
   * and would have to split itself (or the root is the only leaf): then {@link #putPessimistic}. Latches are taken top-down, as every descent takes them.
   */
  private UnderParent putUnderParent(Op op, Put put) {
    byte[] key = put.key();
    WriteGuard parent;
    ReadGuard g = pool.read(metaPageId);
    try {
      long root = g.getLong(META_ROOT_OFFSET);
      ReadGuard c = pool.read(root);
      int level = new BTreeNode(c.segment()).level();
      if (level == 0) {
        c.close();
        return UnderParent.PARENT_FULL; // the root is a leaf: its split grows the tree
      }
      if (level == 1) { // the root is the parent: latch it exclusively under the meta page
        c.close();
        parent = pool.write(root);
      } else {
        g.close();
        g = c;
        BTreeNode n = new BTreeNode(g.segment());
        while (n.level() > 2) {
          c = pool.read(n.child(n.childIndex(key)));
          g.close();
          g = c;
          n = new BTreeNode(g.segment());
        }
        parent = pool.write(n.child(n.childIndex(key)));
      }
    } finally {
      g.close();
    }
    try (Path path = new Path()) {
      path.add(parent);
      BTreeNode p = new BTreeNode(parent.segment());
      if (p.level() != 1) return UnderParent.PARENT_FULL;
      int idx = p.childIndex(key);
      path.setIndex(idx);
      path.add(pool.write(p.child(idx)));
      Boolean done = putInLeaf(op, path.get(1), put);
      if (done != null) return done ? UnderParent.INSERTED : UnderParent.REPLACED;
      try (StructureChange sc = change()) {
        path.trackAll(sc);
        if (!shiftToSibling(path, key, put.cell(), sc)) {
          // The parent must take the separator a split adds: checked for the actual one, not the longest key
          // there could be (a parent of short, prefix-compressed keys is rarely that empty).
          if (!p.fits(BTreeNode.innerCell(splitSeparator(new BTreeNode(path.get(1).segment())), 0))) {
            return UnderParent.PARENT_FULL; // closed uncommitted: nothing changed
          }
          splitLeaf(path, sc);
        }
        commit(sc);
      }
      return UnderParent.SPLIT;
    }
  }

  /**
   * With exclusive latches from the highest node that may change: puts if the leaf has room after all,
   * else splits it (a structure change, without the new entry) and returns null for the caller to retry.
   */
  private Boolean putPessimistic(Op op, Put put) {
    byte[] key = put.key();
    byte[] cell = put.cell();
    try (Path path = new Path()) {
      WriteGuard meta = pool.write(metaPageId);
      path.add(meta);
      path.hasMeta = true;
      WriteGuard cur = pool.write(meta.getLong(META_ROOT_OFFSET));
      while (true) {
        BTreeNode n = new BTreeNode(cur.segment());
        boolean safe = n.isLeaf() ? n.fits(cell) : n.totalFree() >= n.worstInnerInsert();
        if (safe) path.releaseAll();
        path.add(cur);
        if (n.isLeaf()) break;
        int idx = n.childIndex(key);
        path.setIndex(idx);
        cur = pool.write(n.child(idx));
      }
      Boolean done = putInLeaf(op, path.get(path.size() - 1), put);
      if (done != null) return done;
      try (StructureChange sc = change()) {
        path.trackAll(sc);
        if (!shiftToSibling(path, key, cell, sc)) splitLeaf(path, sc);
        commit(sc);
      }
      return null;
    }
  }

  /**
   * Makes room for {@code cell} (key {@code key}) in the path's full leaf by moving entries to a sibling under
   * the same parent instead of splitting, when the two leaves then hold everything, the new cell included
   * (the right sibling first, then the left): the B*-tree's rebalancing. Without it a leaf of a few large
   * records splits into halves that are never filled again: YCSB's 1,120-byte records, three to a leaf,
   * left randomly loaded leaves at about two records each (2.5 with this: BTreeTest). The entries are
   * divided so that the bytes of the two leaves, the new cell counted where it will go, are as even as they
   * can be; the parent's separator between them is replaced by the shortest key between the new neighbours.
   * Returns false, having changed nothing, when no sibling can take enough, the leaf has no sibling under the
   * same parent, or the parent cannot take the new separator.
   *
   * <p>The left sibling is latched while the leaf is held (right to left): safe because every writer that
   * could hold it and wait for the leaf would hold the parent first, as in {@link #mergeWithSibling}.
   */
  private boolean shiftToSibling(Path path, byte[] key, byte[] cell, StructureChange sc) {
    int d = path.size() - 1;
    if (d < 1 || (path.hasMeta && d == 1)) return false; // the leaf is the root
    BTreeNode parent = path.node(d - 1);
    int ci = path.index(d - 1);
    WriteGuard lg = path.get(d);
    byte[][] cells = new BTreeNode(lg.segment()).cells();
    int least = Math.min(cell.length, Math.min(cells[0].length, cells[cells.length - 1].length)) + SLOT_SIZE;
    if (ci + 1 < parent.count() && hasRoom(parent.child(ci + 1), least)) {
      WriteGuard rg = sc.write(parent.child(ci + 1));
      BTreeNode right = new BTreeNode(rg.segment());
      byte[][] all = concat(cells, right.cells());
      int m = evenSplitWith(all, key, cell, 1, cells.length); // m = n: only the new entry goes right
      if (m > 0 && separatorFits(parent, all, m)) {
        int rightCount = all.length - cells.length;
        new BTreeNode(lg.segment()).rewrite(all, 0, m);
        right.rewrite(all, m, all.length);
        sc.rebuilt(lg, BTreeLogLayout.rebuild(0, m, all, 0, 0, false));
        sc.rebuilt(rg, BTreeLogLayout.rebuild(0, rightCount, all, m, cells.length, true));
        replaceSeparator(parent, ci + 1, all, m, rg.pageId());
        return true;
      }
    }
    if (ci >= 0 && hasRoom(parent.child(ci - 1), least)) {
      WriteGuard sg = sc.write(parent.child(ci - 1));
      BTreeNode left = new BTreeNode(sg.segment());
      int leftCount = left.count();
      byte[][] all = concat(left.cells(), cells);
      int m = evenSplitWith(all, key, cell, leftCount, all.length - 1); // m = leftCount: only the new entry goes left
      if (m > 0 && separatorFits(parent, all, m)) {
        left.rewrite(all, 0, m);
        new BTreeNode(lg.segment()).rewrite(all, m, all.length);
        sc.rebuilt(sg, BTreeLogLayout.rebuild(0, leftCount, all, leftCount, m, false));
        sc.rebuilt(lg, BTreeLogLayout.rebuild(m - leftCount, cells.length, all, 0, 0, false));
        replaceSeparator(parent, ci, all, m, lg.pageId());
        return true;
      }
    }
    return false;
  }

  /**
   * Whether leaf {@code pageId} has about {@code bytes} free (prefixes aside): a look under a shared latch
   * before the exclusive one, which would make the sibling dirty and copy it into the change even when no
   * entry can move (as with most siblings once leaves are full).
   */
  private boolean hasRoom(long pageId, int bytes) {
    try (ReadGuard g = pool.read(pageId)) {
      return new BTreeNode(g.segment()).totalFree() >= bytes;
    }
  }

  /**
   * The index m in [lo, hi] at which the sorted leaf cells {@code all} divide into two leaves that both fit
   * with {@code cell} added to the one its key goes to (keys from the separator of m-1 and m on go right),
   * with the bytes most even; -1 if none does.
   */
  private static int evenSplitWith(byte[][] all, byte[] key, byte[] cell, int lo, int hi) {
    int best = -1;
    long bestGap = Long.MAX_VALUE;
    for (int m = Math.max(1, lo); m <= Math.min(hi, all.length - 1); m++) {
      byte[] sep = separatorAt(all, m);
      boolean goesLeft = BTreeNode.compare(key, sep) < 0;
      int leftSize = sizeWith(all, 0, m, goesLeft ? cell : null, key);
      int rightSize = sizeWith(all, m, all.length, goesLeft ? null : cell, key);
      if (leftSize > USABLE || rightSize > USABLE) continue;
      long gap = Math.abs((long) leftSize - rightSize);
      if (gap < bestGap) {
        bestGap = gap;
        best = m;
      }
    }
    return best;
  }

  /** Bytes of leaf cells {@code cells[from..to)} in a node, with {@code extra} (key {@code key}) added if not null. */
  private static int sizeWith(byte[][] cells, int from, int to, byte[] extra, byte[] key) {
    if (extra == null) return BTreeNode.packedSize(cells, from, to, true);
    int at = from;
    while (at < to && BTreeNode.compare(BTreeNode.cellKey(cells[at], true), key) < 0) at++;
    byte[][] with = insertAt(Arrays.copyOfRange(cells, from, to), at - from, extra);
    return BTreeNode.packedSize(with, 0, with.length, true);
  }

  /**
   * Whether {@code parent} takes the separator between all[m - 1] and all[m] in place of one of its own:
   * checked with the old one still there, so a little stricter than needed.
   */
  private static boolean separatorFits(BTreeNode parent, byte[][] all, int m) {
    return parent.fits(BTreeNode.innerCell(separatorAt(all, m), 0));
  }

  /** Replaces separator {@code sepIdx} of {@code parent} (child {@code child}) with the one between all[m-1] and all[m]. */
  private static void replaceSeparator(BTreeNode parent, int sepIdx, byte[][] all, int m, long child) {
    parent.removeCell(sepIdx);
    parent.insertCell(sepIdx, BTreeNode.innerCell(separatorAt(all, m), child));
  }

  /** Splits the path's leaf in two halves by bytes and adds the separator above it. */
  private void splitLeaf(Path path, StructureChange sc) {
    int d = path.size() - 1;
    WriteGuard lg = path.get(d);
    BTreeNode left = new BTreeNode(lg.segment());
    byte[][] cells = left.cells();
    if (cells.length < 2) {
      throw new CorruptionException("B+tree leaf " + PageId.toString(lg.pageId()) + " is full with " + cells.length
          + " entries");
    }
    int m = splitPoint(cells, 1, cells.length - 1);
    byte[] sep = separatorAt(cells, m);
    long rightSibling = left.next();
    // The right sibling before the free-list page: left to right, and the free-list page last.
    WriteGuard sg = rightSibling == -1 ? null : sc.write(rightSibling);
    WriteGuard rg = allocPage(sc);
    BTreeNode right = BTreeNode.init(rg.segment(), rg.pageId(), 0);
    right.setPrev(lg.pageId());
    right.setNext(rightSibling);
    if (sg != null) new BTreeNode(sg.segment()).setPrev(rg.pageId());
    left.setNext(rg.pageId());
    left.rewrite(cells, 0, m);
    sc.rebuilt(lg, BTreeLogLayout.rebuild(0, m, cells, 0, 0, false));
    right.rewrite(cells, m, cells.length);
    insertSeparator(path, d - 1, sep, lg.pageId(), rg.pageId(), 0, sc);
  }

  /** The separator a split of full leaf {@code leaf} adds to its parent (as {@link #splitLeaf} computes it). */
  private static byte[] splitSeparator(BTreeNode leaf) {
    byte[][] cells = leaf.cells();
    return cells.length < 2 ? new byte[0] : separatorAt(cells, splitPoint(cells, 1, cells.length - 1));
  }

  /** The shortest key between leaf cells m - 1 and m. */
  private static byte[] separatorAt(byte[][] cells, int m) {
    return BTreeNode.separator(BTreeNode.cellKey(cells[m - 1], true), BTreeNode.cellKey(cells[m], true));
  }

  /** Adds (sep, rightId) to node j of the path after the entry for leftId, splitting upward as needed. */
  private void insertSeparator(Path path, int j, byte[] sep, long leftId, long rightId, int childLevel,
      StructureChange sc) {
    while (true) {
      if (path.hasMeta && j == 0) { // the root split: grow the tree
        WriteGuard meta = path.get(0);
        WriteGuard ng = allocPage(sc);
        BTreeNode r = BTreeNode.init(ng.segment(), ng.pageId(), childLevel + 1);
        r.setLeftmost(leftId);
        r.insertCell(0, BTreeNode.innerCell(sep, rightId));
        meta.setLong(META_ROOT_OFFSET, ng.pageId());
        meta.setInt(META_HEIGHT_OFFSET, childLevel + 2);
        return;
      }
      if (j < 0) throw new IllegalStateException("split reached past the held path");
      WriteGuard pg = path.get(j);
      BTreeNode p = new BTreeNode(pg.segment());
      int at = path.index(j) + 1;
      byte[] c = BTreeNode.innerCell(sep, rightId);
      if (p.fits(c)) {
        p.insertCell(at, c);
        return;
      }
      byte[][] cells = insertAt(p.cells(), at, c);
      int m = splitPoint(cells, 0, cells.length - 1);
      byte[] up = BTreeNode.cellKey(cells[m], false);
      WriteGuard rg = allocPage(sc);
      BTreeNode r = BTreeNode.init(rg.segment(), rg.pageId(), p.level());
      r.setLeftmost(BTreeNode.cellChild(cells[m]));
      r.rewrite(cells, m + 1, cells.length);
      p.rewrite(cells, 0, m);
      sep = up;
      leftId = pg.pageId();
      rightId = rg.pageId();
      childLevel = p.level();
      j--;
    }
  }

  private static byte[][] insertAt(byte[][] a, int at, byte[] x) {
    return BTreeNode.insertAt(a, at, x);
  }

  private static byte[][] concat(byte[][] a, byte[][] b) {
    byte[][] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** The index where the bytes (cells and offsets) divide in half, clamped to [min, max]. */
  private static int splitPoint(byte[][] cells, int min, int max) {
    long total = 0;
    for (byte[] c : cells) total += c.length + SLOT_SIZE;
    long acc = 0;
    int m = 0;
    while (m < cells.length && acc + cells[m].length + SLOT_SIZE <= total / 2) acc += cells[m++].length + SLOT_SIZE;
    return Math.max(min, Math.min(max, m));
  }

  // ------------------------------------------------------------------ delete

  /** Removes {@code key} from an unlogged tree; returns true if it was there. */
  public boolean delete(byte[] key) {
    return delete(op(null), key);
  }

  /** Removes {@code key} as part of {@code txn} (see {@link #put(Transaction, byte[], byte[])}). */
  public boolean delete(Transaction txn, byte[] key) {
    return delete(op(txn), key);
  }

  private boolean delete(Op op, byte[] key) {
    checkKey(key);
    lock(op, key);
    long[] oldChain = {-1, 0};
    Leaf leaf = descendWriteLeaf(key);
    Boolean done = null;
    try {
      BTreeNode n = new BTreeNode(leaf.guard().segment());
      int i = n.search(key);
      if (i < 0) return false;
      if (leaf.isRoot() || op.clr() != null || n.usedBytes() - n.cellLength(i) - SLOT_SIZE >= UNDERFLOW_BYTES) {
        removeInLeaf(op, leaf.guard(), n, i, key, oldChain);
        done = true;
      }
    } finally {
      leaf.guard().close();
    }
    if (done == null) done = deletePessimistic(op, key, oldChain);
    freeValue(oldChain);
    return done;
  }

  private void removeInLeaf(Op op, WriteGuard g, BTreeNode n, int i, byte[] key, long[] oldChain) {
    byte[] old = tm != null ? value(n, i) : null;
    MemorySegment before = snapshot(g);
    noteOldValue(n, i, oldChain);
    n.removeCell(i);
    logKeyChange(op, g, before, key, old, null);
  }

  private boolean deletePessimistic(Op op, byte[] key, long[] oldChain) {
    try (Path path = new Path()) {
      WriteGuard meta = pool.write(metaPageId);
      path.add(meta);
      path.hasMeta = true;
      WriteGuard cur = pool.write(meta.getLong(META_ROOT_OFFSET));
      while (true) {
        path.add(cur);
        BTreeNode n = new BTreeNode(cur.segment());
        if (n.isLeaf()) break;
        int idx = n.childIndex(key);
        path.setIndex(idx);
        cur = pool.write(n.child(idx));
      }
      int d = path.size() - 1;
      BTreeNode leaf = path.node(d);
      int i = leaf.search(key);
      if (i < 0) return false;
      removeInLeaf(op, path.get(d), leaf, i, key, oldChain);
      if (d < 2 || leaf.usedBytes() >= UNDERFLOW_BYTES) return true;
      try (StructureChange sc = change()) {
        path.trackAll(sc);
        for (; d >= 2 && path.node(d).usedBytes() < UNDERFLOW_BYTES; d--) {
          if (!mergeWithSibling(path, d, sc)) break;
        }
        BTreeNode root = path.node(1);
        if (!root.isLeaf() && root.count() == 0) { // the root has one child left: it becomes the root
          meta.setLong(META_ROOT_OFFSET, root.leftmost());
          meta.setInt(META_HEIGHT_OFFSET, root.level());
          sc.free(path.get(1));
        }
        commit(sc);
      }
      return true;
    }
  }

  /**
   * Merges node d of the path with a sibling under the same parent (the right one if there is one) when
   * both fit in one page; the right node of the pair is emptied and the parent loses its separator.
   */
  private boolean mergeWithSibling(Path path, int d, StructureChange sc) {
    BTreeNode parent = path.node(d - 1);
    int ci = path.index(d - 1);
    WriteGuard cur = path.get(d);
    WriteGuard lg;
    WriteGuard rg;
    int sepIdx;
    if (ci + 1 < parent.count()) {
      lg = cur;
      rg = sc.write(parent.child(ci + 1));
      sepIdx = ci + 1;
    } else if (ci >= 0) {
      // A left sibling under the same parent: every other writer that could hold it holds the parent too.
      lg = sc.write(parent.child(ci - 1));
      rg = cur;
      sepIdx = ci;
    } else {
      return false;
    }
    BTreeNode l = new BTreeNode(lg.segment());
    BTreeNode r = new BTreeNode(rg.segment());
    byte[] sepKey = parent.key(sepIdx);
    byte[][] rc = r.cells();
    if (l.isLeaf()) {
      byte[][] all = concat(l.cells(), rc);
      if (BTreeNode.packedSize(all, 0, all.length, true) > USABLE) return false;
      long rs = r.next();
      int own = l.count();
      l.rewrite(all, 0, all.length);
      sc.rebuilt(lg, BTreeLogLayout.rebuild(0, own, rc, 0, rc.length, false));
      l.setNext(rs);
      if (rs != -1) new BTreeNode(sc.write(rs).segment()).setPrev(lg.pageId());
    } else {
      byte[] down = BTreeNode.innerCell(sepKey, r.leftmost());
      byte[][] all = concat(BTreeNode.insertAt(l.cells(), l.count(), down), rc);
      if (BTreeNode.packedSize(all, 0, all.length, false) > USABLE) return false;
      int own = l.count();
      l.rewrite(all, 0, all.length);
      sc.rebuilt(lg, BTreeLogLayout.rebuild(0, own, all, own, all.length, false));
    }
    parent.removeCell(sepIdx);
    sc.free(rg);
    return true;
  }

  // ------------------------------------------------------------------ bulk load

  /**
   * Loads entries in strictly ascending key order into an empty tree, filling each leaf before starting
   * the next and then building the inner levels bottom-up. Holds the meta page exclusively throughout, so
   * the pages it builds are unreachable until it ends; a logged tree logs each page once, when it is full,
   * as part of one system transaction. All or nothing: when it fails, the tree is left empty.
   *
   * @throws OperationFailedException if the tree is not empty, or a key or value is too large
   * @throws IllegalArgumentException if the keys are not strictly ascending
   */
  public void bulkLoad(Iterator<? extends Map.Entry<byte[], byte[]>> sorted) {
    boolean loaded = false;
    try (StructureChange sc = change()) {
      WriteGuard meta = sc.write(metaPageId);
      long rootId = meta.getLong(META_ROOT_OFFSET);
      WriteGuard cur = sc.write(rootId);
      BTreeNode n = new BTreeNode(cur.segment());
      if (!n.isLeaf() || n.count() != 0) throw new OperationFailedException("bulk load needs an empty tree");
      try {
        List<byte[]> seps = new ArrayList<>();
        List<Long> children = new ArrayList<>();
        seps.add(null);
        children.add(rootId);
        byte[] prevKey = null;
        long count = 0;
        while (sorted.hasNext()) {
          Map.Entry<byte[], byte[]> e = sorted.next();
          byte[] key = e.getKey();
          byte[] value = e.getValue();
          checkKey(key);
          checkValue(value);
          if (prevKey != null && BTreeNode.compare(prevKey, key) >= 0) {
            throw new IllegalArgumentException("bulk load input is not strictly ascending at entry " + count);
          }
          byte[] cell;
          if (!isInline(key.length, value.length)) {
            long first = OverflowChain.write(() -> allocPage(sc), value, sc::logNow);
            cell = BTreeNode.leafOverflowCell(key, first, value.length);
          } else {
            cell = BTreeNode.leafCell(key, value);
          }
          if (!n.fits(cell)) {
            WriteGuard ng = allocPage(sc);
            BTreeNode nn = BTreeNode.init(ng.segment(), ng.pageId(), 0);
            nn.setPrev(cur.pageId());
            n.setNext(ng.pageId());
            n.compact(); // the full leaf gets its key prefix
            sc.logNow(cur);
            cur = ng;
            n = nn;
            seps.add(BTreeNode.separator(prevKey, key));
            children.add(ng.pageId());
          }
          n.insertCell(n.count(), cell);
          prevKey = key;
          count++;
        }
        n.compact();
        sc.logNow(cur);
        int level = 1;
        while (children.size() > 1) {
          List<byte[]> upSeps = new ArrayList<>();
          List<Long> upChildren = new ArrayList<>();
          WriteGuard g = allocPage(sc);
          BTreeNode in = BTreeNode.init(g.segment(), g.pageId(), level);
          in.setLeftmost(children.get(0));
          upSeps.add(null);
          upChildren.add(g.pageId());
          for (int k = 1; k < children.size(); k++) {
            byte[] c = BTreeNode.innerCell(seps.get(k), children.get(k));
            if (in.fits(c)) {
              in.insertCell(in.count(), c);
              continue;
            }
            sc.logNow(g);
            g = allocPage(sc);
            in = BTreeNode.init(g.segment(), g.pageId(), level);
            in.setLeftmost(children.get(k));
            upSeps.add(seps.get(k));
            upChildren.add(g.pageId());
          }
          sc.logNow(g);
          seps = upSeps;
          children = upChildren;
          level++;
        }
        meta.setLong(META_ROOT_OFFSET, children.get(0));
        meta.setInt(META_HEIGHT_OFFSET, level);
        commit(sc);
        loaded = true;
      } finally {
        if (!loaded && tm == null) { // nothing to roll back with: cut the tree back to an empty root leaf
          try (WriteGuard r = pool.write(rootId)) {
            BTreeNode.init(r.segment(), rootId, 0);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ cursors

  /**
   * A cursor over keys in [{@code from}, {@code to}) (either may be null: unbounded), ascending or
   * descending. It holds no latch between calls; see {@link BTreeCursor}.
   */
  public BTreeCursor cursor(byte[] from, byte[] to, boolean descending) {
    return cursor(null, from, to, descending);
  }

  /** As {@link #cursor(byte[], byte[], boolean)}, seeing what {@code reader} sees (null: committed entries). */
  public BTreeCursor cursor(Transaction reader, byte[] from, byte[] to, boolean descending) {
    if (from != null) checkKey(from);
    if (to != null) checkKey(to);
    return new BTreeCursor(this, reader, from, to, descending);
  }

  /**
   * Asks the pool to load, in parallel, the out-of-leaf pages that entries {@code from..to-1} of
   * {@code leaf} name (value pages, or the first page of a chain): a scan reads them in key order, which is
   * not their order on disk, so one at a time each would be a device read of its own.
   */
  private void prefetchValues(BTreeNode leaf, int from, int to) {
    long[] pages = null;
    int n = 0;
    for (int j = from; j < to; j++) {
      if (!leaf.isOverflow(j)) continue;
      if (pages == null) pages = new long[to - from];
      pages[n++] = leaf.overflowPage(j);
    }
    if (n < 2) return;
    Arrays.sort(pages, 0, n); // distinct pages, in file order (a boxed stream's distinct() showed in profiles)
    int m = 1;
    for (int j = 1; j < n; j++) if (pages[j] != pages[m - 1]) pages[m++] = pages[j];
    pool.prefetch(Arrays.copyOf(pages, m));
  }

  /**
   * Adds to {@code keys}/{@code values} the entries of the first leaf, in key order, that has any with key
   * above {@code k} (or equal when {@code inclusive}) and below {@code to} (null = no bound), at most
   * {@code max} of them (a value may be a whole overflow chain: copy no more than the cursor will want), as
   * {@code reader} sees them (null: outside any transaction; see {@link CommittedValues}).
   */
  void fetchForward(Transaction reader, byte[] k, boolean inclusive, byte[] to, List<byte[]> keys, List<byte[]> values, int max) {
    while (true) {
      byte[] hi = null; // upper fence of the leaf reached
      ScanFill fill = new ScanFill(committed, reader, false, k, inclusive, keys, values, max);
      ReadGuard g = pool.read(metaPageId);
      try {
        ReadGuard c = pool.read(g.getLong(META_ROOT_OFFSET));
        g.close();
        g = c;
        for (BTreeNode n = new BTreeNode(g.segment()); !n.isLeaf(); n = new BTreeNode(g.segment())) {
          int idx = n.childIndex(k);
          if (idx + 1 < n.count()) hi = n.key(idx + 1);
          c = pool.read(n.child(idx));
          g.close();
          g = c;
        }
        BTreeNode leaf = new BTreeNode(g.segment());
        int i = leaf.search(k);
        int start = i >= 0 ? (inclusive ? i : i + 1) : -i - 1;
        byte[] fence = hi; // the held leaf's upper fence, null once the scan has moved to a sibling
        while (true) {
          prefetchValues(leaf, start, Math.min(leaf.count(), start + max - keys.size()));
          for (int j = start; j < leaf.count(); j++) {
            byte[] key = leaf.key(j);
            if (to != null && BTreeNode.compare(key, to) >= 0) {
              fill.deletedUpTo(to, false);
              return;
            }
            fill.deletedUpTo(key, false);
            if (fill.full()) return;
            fill.add(key, visible(leaf, j, key, reader));
            if (fill.full()) return;
          }
          if (leaf.next() == -1) {
            fill.deletedUpTo(to, false);
            return;
          }
          // On to the right sibling while this leaf is held, so nothing can come between them (a split of
          // this leaf needs its exclusive latch). Only if that takes no waiting: a merge latches right to left
          // under the parent, and a shared latch held while waiting could close a cycle with it. Otherwise
          // the cursor descends again, as after a full batch.
          ReadGuard next = pool.tryRead(leaf.next());
          BTreeNode right = next == null ? null : new BTreeNode(next.segment());
          if (right == null || right.count() == 0) {
            if (next != null) next.close();
            if (fence != null) fill.deletedUpTo(to != null && BTreeNode.compare(fence, to) >= 0 ? to : fence, false);
            break;
          }
          // A deleted key between the two leaves' keys belongs to one of them: both are held now.
          byte[] first = right.key(0);
          boolean last = to != null && BTreeNode.compare(first, to) >= 0;
          fill.deletedUpTo(last ? to : first, false);
          if (last || fill.full()) {
            next.close();
            return;
          }
          g.close();
          g = next;
          leaf = right;
          start = 0;
          fence = null;
        }
      } finally {
        g.close();
      }
      if (!keys.isEmpty() || hi == null || (to != null && BTreeNode.compare(hi, to) >= 0)) return;
      k = hi;
      inclusive = true;
    }
  }

  /**
   * Adds to {@code keys}/{@code values} the entries of the last leaf, in descending key order, that has any
   * with key below {@code k} (or equal when {@code inclusive}; null = no bound) and at least {@code from},
   * at most {@code max} of them, as {@code reader} sees them.
   */
  void fetchBackward(Transaction reader, byte[] k, boolean inclusive, byte[] from, List<byte[]> keys, List<byte[]> values, int max) {
    while (true) {
      byte[] lo = null; // lower fence of the leaf reached
      ScanFill fill = new ScanFill(committed, reader, true, k, inclusive, keys, values, max);
      ReadGuard g = pool.read(metaPageId);
      try {
        ReadGuard c = pool.read(g.getLong(META_ROOT_OFFSET));
        g.close();
        g = c;
        for (BTreeNode n = new BTreeNode(g.segment()); !n.isLeaf(); n = new BTreeNode(g.segment())) {
          int idx;
          if (k == null) {
            idx = n.count() - 1;
          } else {
            int s = n.search(k);
            idx = s >= 0 ? (inclusive ? s : s - 1) : -s - 2;
          }
          if (idx >= 0) lo = n.key(idx);
          c = pool.read(n.child(idx));
          g.close();
          g = c;
        }
        BTreeNode leaf = new BTreeNode(g.segment());
        int end;
        if (k == null) {
          end = leaf.count();
        } else {
          int i = leaf.search(k);
          end = i >= 0 ? (inclusive ? i + 1 : i) : -i - 1;
        }
        byte[] fence = lo; // the held leaf's lower fence (inclusive), null once the scan has moved to a sibling
        while (true) {
          prefetchValues(leaf, Math.max(0, end - (max - keys.size())), end);
          for (int j = end - 1; j >= 0; j--) {
            byte[] key = leaf.key(j);
            if (from != null && BTreeNode.compare(key, from) < 0) {
              fill.deletedUpTo(from, true);
              return;
            }
            fill.deletedUpTo(key, false);
            if (fill.full()) return;
            fill.add(key, visible(leaf, j, key, reader));
            if (fill.full()) return;
          }
          if (leaf.prev() == -1) {
            fill.deletedUpTo(from, true);
            return;
          }
          // On to the left sibling while this leaf is held, as fetchForward steps right: this leaf's prev link
          // only changes under its exclusive latch (a split of the left sibling fixes it), and the attempt
          // never waits, so it closes no cycle with writers that latch left to right.
          ReadGuard prev = pool.tryRead(leaf.prev());
          BTreeNode left = prev == null ? null : new BTreeNode(prev.segment());
          if (left == null || left.count() == 0) {
            if (prev != null) prev.close();
            if (fence != null) {
              if (from != null && BTreeNode.compare(fence, from) <= 0) fill.deletedUpTo(from, true);
              else fill.deletedUpTo(fence, true);
            }
            break;
          }
          byte[] lastKey = left.key(left.count() - 1);
          boolean done = from != null && BTreeNode.compare(lastKey, from) < 0;
          if (done) fill.deletedUpTo(from, true);
          else fill.deletedUpTo(lastKey, false);
          if (done || fill.full()) {
            prev.close();
            return;
          }
          g.close();
          g = prev;
          leaf = left;
          end = leaf.count();
          fence = null;
        }
      } finally {
        g.close();
      }
      if (!keys.isEmpty() || lo == null || (from != null && BTreeNode.compare(lo, from) <= 0)) return;
      k = lo;
      inclusive = false;
    }
  }

  /**
   * The value of entry {@code j} (key {@code key}) of the held {@code leaf} as {@code reader} sees it: the
   * committed value if another transaction changed it (null: that transaction inserted the key).
   */
  private byte[] visible(BTreeNode leaf, int j, byte[] key, Transaction reader) {
    CommittedValues.Before b = committed.of(key, reader);
    if (b == null) return visibleValue(leaf, j, key, reader);
    return b.value() == null ? null : b.value().clone(); // a cursor hands its values out: never the remembered one
  }

  // ------------------------------------------------------------------ verify

  /** Checks the tree's invariants (run it while no writer is active); an empty list means none broken. */
  public List<BTreeVerifier.Problem> verify() {
    return new BTreeVerifier(this).verify();
  }
}
