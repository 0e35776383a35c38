package org.rustydb.disk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The disk manager's small cache of pages read ahead and not yet asked for. A ring of page slots in one
 * aligned native segment: a new page takes the next slot, dropping its unread occupant (FIFO); a read
 * that finds its page takes it out (the buffer pool above caches it from then on). All methods hold the
 * cache's monitor; the lookup is a HashMap, which is fine for tens of pages.
 *
 * <p>Staleness: a write bumps its file's {@code writeSeq} after the write and then invalidates the page
 * here. A prefetch notes {@code writeSeq} before its read and inserts only if it has not moved, under
 * this monitor; so a page read ahead before a write can never be served after it. Both halves must hold
 * the monitor: the insert's check of {@code writeSeq} and its insertion are one step only if the
 * invalidation cannot run between them. (It used to skip the monitor when the cache looked empty. A
 * prefetch that read a page just before a write of it landed, and checked {@code writeSeq} just before the
 * write bumped it, had not inserted yet when the write looked: its old copy stayed, and was served once
 * the buffer pool evicted the page and read it again. Committed rows vanished that way from pages the
 * background flusher wrote while the workload read ahead; {@code ReadAheadTest} replays the order.)
 */
final class ReadAheadCache {

  private static final int PAGE = PageFileStore.PAGE_SIZE;

  private final int capacity;
  private final MemorySegment slots;
  private final long[] slotPage;
  private final Map<Long, Integer> index = new HashMap<>();
  private int next;
  /** Pages held; read without the monitor so that a read skips the lookup when the cache is empty. */
  private volatile int size;

  /**
   * Test hook, null otherwise: run by {@link #putAll} between its staleness check and the insertion (under
   * the monitor), so a test can land a write right there.
   */
  volatile Runnable afterStalenessCheck;

  final LongAdder issued = new LongAdder();
  final LongAdder hits = new LongAdder();
  final LongAdder wasted = new LongAdder();

  ReadAheadCache(int capacity) {
    this.capacity = capacity;
    this.slots = capacity == 0 ? MemorySegment.NULL : Arena.ofAuto().allocate((long) capacity * PAGE, PAGE);
    this.slotPage = new long[capacity];
    java.util.Arrays.fill(slotPage, PageId.INVALID);
  }

  /** Copies page {@code pageId} into {@code dst} and drops it from the cache, if it is here. */
  synchronized boolean take(long pageId, MemorySegment dst) {
    if (size == 0) return false;
    Integer s = index.remove(pageId);
    if (s == null) return false;
    MemorySegment.copy(slots, (long) s * PAGE, dst, 0, PAGE);
    slotPage[s] = PageId.INVALID;
    size--;
    hits.increment();
    return true;
  }

  /**
   * Inserts {@code count} pages of {@code file} starting at {@code firstPageNo}, read into {@code buf},
   * unless the file was written since {@code seqBefore} (then they may be stale and are dropped).
   */
  synchronized void putAll(PageFile file, long seqBefore, long firstPageNo, MemorySegment buf, int count) {
    issued.add(count);
    if (file.writeSeq.get() != seqBefore) {
      wasted.add(count);
      return;
    }
    Runnable hook = afterStalenessCheck;
    if (hook != null) hook.run();
    for (int i = 0; i < count; i++) {
      long pageId = PageId.of(file.fileId, firstPageNo + i);
      Integer s = index.get(pageId);
      if (s == null) {
        s = next;
        next = (next + 1) % capacity;
        if (slotPage[s] != PageId.INVALID) {
          index.remove(slotPage[s]);
          wasted.increment();
          size--;
        }
        index.put(pageId, s);
        slotPage[s] = pageId;
        size++;
      } else {
        wasted.increment(); // read twice; the older copy was never used
      }
      MemorySegment.copy(buf, (long) i * PAGE, slots, (long) s * PAGE, PAGE);
    }
  }

  /** Whether page {@code pageId} is held (for tests and stats). */
  synchronized boolean contains(long pageId) {
    return index.containsKey(pageId);
  }

  /**
   * Drops page {@code pageId} (it was written or freed): always under the monitor, even when the cache looks
   * empty, so that it comes after a {@link #putAll} in progress has inserted what it read (class comment).
   */
  void invalidate(long pageId) {
    if (capacity == 0) return; // read-ahead off: nothing is ever inserted
    synchronized (this) {
      Integer s = index.remove(pageId);
      if (s != null) {
        slotPage[s] = PageId.INVALID;
        size--;
        wasted.increment();
      }
    }
  }

  /** Drops pages {@code firstPageId} to {@code firstPageId + n - 1} (a run was written): one monitor entry. */
  void invalidate(long firstPageId, long n) {
    if (capacity == 0) return;
    synchronized (this) {
      for (long i = 0; i < n; i++) invalidate(firstPageId + i);
    }
  }

  /** Drops every page of file {@code fileId} (it was dropped or closed). */
  synchronized void invalidateFile(int fileId) {
    for (Iterator<Map.Entry<Long, Integer>> it = index.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Integer> e = it.next();
      if (PageId.fileId(e.getKey()) == fileId) {
        slotPage[e.getValue()] = PageId.INVALID;
        it.remove();
        size--;
        wasted.increment();
      }
    }
  }

  int size() {
    return size;
  }
}
