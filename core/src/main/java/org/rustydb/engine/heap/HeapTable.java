package org.rustydb.engine.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.rustydb.OperationFailedException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageType;
import org.rustydb.page.SlottedPage;
import org.rustydb.txn.Transaction;
import org.rustydb.txn.TransactionManager;

/**
 * A heap table over one page file ({@code table_N.dat}): rows in slotted pages, addressed by a record id
 * ({@code pageNo << 12 | slot}, see {@link HeapRecordLayout}). Pages 1.. of the file are heap pages (page 0
 * is the disk manager's header).
 *
 * <p><b>Logging.</b> Every change is logged with {@link TransactionManager#logUpdate} under the page's write
 * guard before the page changes (redo/undo payloads in {@link HeapRecordLayout}). A new page is allocated
 * from the disk manager and formatted with a logged FORMAT record that belongs to no transaction (it is
 * never undone; an aborted insert leaves an empty page behind). Page allocation is recoverable without the
 * disk manager's header: recovery's redo extends a file to the page a record names before applying it,
 * and pages the header counts but the log never formatted (allocated just before a crash) are all zeros,
 * which {@link #open} formats.
 *
 * <p><b>Free-space map</b>: in memory, one int per page (bytes an insert may use), rebuilt at open by
 * reading every page once. It is a hint: an insert latches the page and checks the real free space.
 *
 * <p><b>Locks and visibility.</b> Insert, update and delete take the row's exclusive lock (no-wait: a
 * conflict fails the operation); get and scan take none and see the latest version, committed or not
 * (storage-level read-uncommitted; isolation is the API layer's concern).
 */
public final class HeapTable {

  /**
   * Bytes an insert leaves free on a page that already holds rows, so its rows can grow in place (as
   * PostgreSQL's fillfactor): a row grows only within its page, since its record id names the page.
   */
  static final int FILL_RESERVE = 512;

  private final String name;
  private final int fileId;
  private final TransactionManager tm;
  private final BufferPool pool;
  private final Object allocLock = new Object();
  /** Per page number: bytes an insert may use there; index 0 (the header page) unused. Guarded by this. */
  private int[] free = new int[16];
  private int pages; // page numbers 1..pages-1 are heap pages
  private int insertHint = 1;

  private HeapTable(String name, int fileId, TransactionManager tm) {
    this.name = name;
    this.fileId = fileId;
    this.tm = tm;
    this.pool = tm.pool();
  }

  /**
   * Opens the heap in page file {@code fileId} (already recovered): reads every page to rebuild the
   * free-space map and formats pages allocated but never formatted before a crash.
   */
  public static HeapTable open(String name, int fileId, DiskManager disk, TransactionManager tm) {
    HeapTable t = new HeapTable(name, fileId, tm);
    long count = disk.pageCount(fileId);
    t.pages = 1;
    SlottedPage sp = new SlottedPage();
    for (long p = 1; p < count; p++) {
      long pageId = PageId.of(fileId, p);
      int space;
      boolean blank;
      try (ReadGuard g = t.pool.read(pageId)) {
        sp.wrap(g.segment());
        blank = sp.lsn() == 0 && sp.type() == PageType.FREE;
        space = blank ? 0 : sp.maxInsertSize();
      }
      if (blank) {
        try (WriteGuard g = t.pool.write(pageId)) {
          tm.logSystemUpdate(g, HeapResourceManager.ID, new byte[] {HeapRecordLayout.OP_FORMAT});
          space = sp.wrap(g.segment()).maxInsertSize();
        }
      }
      t.setFree(p, space);
    }
    return t;
  }

  public String name() {
    return name;
  }

  public int fileId() {
    return fileId;
  }

  /**
   * Inserts a row and returns its record id.
   *
   * @throws IllegalArgumentException when the value is longer than {@link HeapRecordLayout#MAX_VALUE}
   */
  public long insert(Transaction txn, byte[] value) {
    txn.checkActive();
    if (value.length > HeapRecordLayout.MAX_VALUE) {
      throw new IllegalArgumentException("row of " + value.length + " bytes exceeds the heap maximum of "
          + HeapRecordLayout.MAX_VALUE);
    }
    byte[] tuple = HeapRecordLayout.tuple(true, value, 0);
    SlottedPage sp = new SlottedPage();
    for (int attempt = 0; attempt < 8; attempt++) {
      long p = findPage(tuple.length + FILL_RESERVE);
      if (p < 0) break;
      try (WriteGuard g = pool.write(PageId.of(fileId, p))) {
        sp.wrap(g.segment());
        if (sp.maxInsertSize() >= tuple.length + FILL_RESERVE) return insertInto(txn, g, sp, p, tuple);
        setFree(p, sp.maxInsertSize());
      }
    }
    synchronized (allocLock) {
      try (WriteGuard g = pool.newPage(fileId)) {
        long p = PageId.pageNo(g.pageId());
        tm.logSystemUpdate(g, HeapResourceManager.ID, new byte[] {HeapRecordLayout.OP_FORMAT});
        sp.wrap(g.segment());
        return insertInto(txn, g, sp, p, tuple);
      }
    }
  }

  private long insertInto(Transaction txn, WriteGuard g, SlottedPage sp, long p, byte[] tuple) {
    int slot = sp.slotCount(); // slots are never freed, so an insert always appends one
    long rid = HeapRecordLayout.recordId(p, slot);
    tm.locks().lock(txn, fileId, rid); // a fresh record id: never held by another transaction
    tm.logUpdate(txn, g, HeapResourceManager.ID, HeapRecordLayout.payload(HeapRecordLayout.OP_INSERT, slot, tuple),
        HeapRecordLayout.payload(HeapRecordLayout.OP_TOMBSTONE, slot, new byte[0]));
    setFree(p, sp.maxInsertSize());
    return rid;
  }

  /** The row's value, or null when there is no live row with that id. */
  public byte[] get(long recordId) {
    long p = HeapRecordLayout.pageNo(recordId);
    int slot = HeapRecordLayout.slotOf(recordId);
    if (p < 1 || p >= pageCount()) return null;
    try (ReadGuard g = pool.read(PageId.of(fileId, p))) {
      SlottedPage sp = new SlottedPage().wrap(g.segment());
      if (!sp.isLive(slot)) return null;
      byte[] t = sp.read(slot);
      return HeapRecordLayout.live(t) ? HeapRecordLayout.value(t) : null;
    }
  }

  /**
   * Replaces a row's value; returns false when there is no live row with that id.
   *
   * @throws OperationFailedException on a write conflict, or when the row grows beyond its page's room
   */
  public boolean update(Transaction txn, long recordId, byte[] value) {
    txn.checkActive();
    if (value.length > HeapRecordLayout.MAX_VALUE) {
      throw new IllegalArgumentException("row of " + value.length + " bytes exceeds the heap maximum of "
          + HeapRecordLayout.MAX_VALUE);
    }
    return change(txn, recordId, value);
  }

  /**
   * Deletes a row; returns false when there is no live row with that id.
   *
   * @throws OperationFailedException on a write conflict
   */
  public boolean delete(Transaction txn, long recordId) {
    txn.checkActive();
    return change(txn, recordId, null);
  }

  private boolean change(Transaction txn, long recordId, byte[] value) {
    long p = HeapRecordLayout.pageNo(recordId);
    int slot = HeapRecordLayout.slotOf(recordId);
    if (p < 1 || p >= pageCount()) return false;
    try (WriteGuard g = pool.write(PageId.of(fileId, p))) {
      SlottedPage sp = new SlottedPage().wrap(g.segment());
      if (!sp.isLive(slot)) return false;
      byte[] old = sp.read(slot);
      if (!HeapRecordLayout.live(old)) return false;
      tm.locks().lock(txn, fileId, recordId);
      byte[] tuple = value == null
          ? deleted(old)
          : HeapRecordLayout.tuple(true, value, old.length);
      if (tuple.length > old.length && sp.freeSpace() < tuple.length && sp.usableSpace() + old.length < tuple.length) {
        throw new OperationFailedException("row " + recordId + " of heap " + name + " cannot grow to "
            + value.length + " bytes: its page has no room");
      }
      tm.logUpdate(txn, g, HeapResourceManager.ID, HeapRecordLayout.payload(HeapRecordLayout.OP_SET, slot, tuple),
          HeapRecordLayout.payload(HeapRecordLayout.OP_SET, slot, old));
      setFree(p, sp.maxInsertSize());
      return true;
    }
  }

  private static byte[] deleted(byte[] old) {
    byte[] t = old.clone();
    t[HeapRecordLayout.FLAG_OFFSET] = 0;
    return t;
  }

  /** Calls {@code visitor} with (record id, value) for every live row, in record-id order. */
  public void scan(BiConsumer<Long, byte[]> visitor) {
    long count = pageCount();
    SlottedPage sp = new SlottedPage();
    for (long p = 1; p < count; p++) {
      List<long[]> ids = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      try (ReadGuard g = pool.read(PageId.of(fileId, p))) {
        sp.wrap(g.segment());
        if (sp.type() != PageType.HEAP) continue;
        for (int s = sp.nextLive(0); s >= 0; s = sp.nextLive(s + 1)) {
          byte[] t = sp.read(s);
          if (HeapRecordLayout.live(t)) {
            ids.add(new long[] {HeapRecordLayout.recordId(p, s)});
            values.add(HeapRecordLayout.value(t));
          }
        }
      }
      // Visit after releasing the latch: the visitor may call back into the table.
      for (int i = 0; i < ids.size(); i++) visitor.accept(ids.get(i)[0], values.get(i));
    }
  }

  /** Pages of the file, header page included, as this table knows them. */
  synchronized long pageCount() {
    return pages;
  }

  private synchronized long findPage(int need) {
    int n = pages;
    for (int i = 0; i < n - 1; i++) {
      int p = 1 + (insertHint - 1 + i) % (n - 1);
      if (free[p] >= need) {
        insertHint = p;
        return p;
      }
    }
    return -1;
  }

  private synchronized void setFree(long pageNo, int space) {
    int p = (int) pageNo;
    if (p >= free.length) free = java.util.Arrays.copyOf(free, Math.max(p + 1, free.length * 2));
    free[p] = Math.max(space, 0);
    if (p >= pages) pages = p + 1;
  }
}
