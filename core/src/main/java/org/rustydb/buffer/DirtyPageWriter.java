package org.rustydb.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.TreeSet;
import org.rustydb.disk.PageFileStore;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageChecksum;

/**
 * Writes dirty pages of the pool with write combining ({@link WriteCombiner}): the one write path of the
 * {@link DirtyPageFlusher}, of {@link BufferPool#flushAll()} (checkpoints) and of emergency memory reclaim.
 *
 * <h2>Snapshots, not latches, during the I/O</h2>
 * For each page of a batch, under the frame's <em>shared</em> latch (so no writer is inside the page): check it
 * still holds the page and is dirty, note the latch version, set {@link Frame#flushing}, copy the 4 KiB into the
 * batch buffer, release. Writers may then change the frame while its copy is written. Per contiguous run: call
 * the WAL hook with the highest page LSN of the run (write-ahead rule), stamp each copy's checksum (the frame is
 * not touched, so optimistic readers are not disturbed) and write the run in one call. Afterwards a frame is
 * marked clean only if its latch version is unchanged (no write guard was released since the snapshot) — a page
 * modified during its flush stays dirty and is written again later.
 *
 * <h2>Why {@code flushing}</h2>
 * While a copy is in flight, another write of the same page must not overtake it, or the older copy could land
 * last: eviction refuses a frame that is being flushed, {@code flush(pageId)} and {@code dropFile} wait for the
 * flag to clear, and a second writer (a checkpoint racing the flusher) waits for it before looking again.
 * Marking clean only ever <em>tries</em> the shared latch (a writer holding the page means it is dirty anyway),
 * so whoever waits for the flag with the latch held cannot deadlock with the flusher.
 *
 * <p>One instance per caller thread at a time: it owns a batch buffer (maxBatch x 4 KiB, 4096-aligned native).
 */
final class DirtyPageWriter implements AutoCloseable {

  /** What one call wrote: pages, batches, write operations (contiguous runs), files touched. */
  record Result(long pages, long batches, long writeOps, TreeSet<Integer> files) {
    long writesSaved() {
      return pages - writeOps;
    }
  }

  private final Frame[] frames;
  private final PageTable table;
  private final PageFileStore store;
  private final WalFlushHook wal;
  private final int distance;
  private final int maxBatch;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment buffer;

  DirtyPageWriter(Frame[] frames, PageTable table, PageFileStore store, WalFlushHook wal, FlusherOptions options) {
    this.frames = frames;
    this.table = table;
    this.store = store;
    this.wal = wal;
    this.distance = options.combineDistance();
    this.maxBatch = options.maxBatch();
    this.buffer = arena.allocate((long) maxBatch * PageFileStore.PAGE_SIZE, PageFileStore.PAGE_SIZE);
  }

  /** Page ids of the frames that are dirty now ({@code unheldOnly}: and not latched by anyone). */
  long[] dirtyPages(boolean unheldOnly) {
    return dirtyPages(frames, unheldOnly);
  }

  static long[] dirtyPages(Frame[] frames, boolean unheldOnly) {
    long[] ids = new long[frames.length];
    int n = 0;
    for (Frame f : frames) {
      long p = f.pageId;
      if (p != PageId.INVALID && f.dirty && f.loadingPageId == PageId.INVALID && !(unheldOnly && f.isHeld())) {
        ids[n++] = p;
      }
    }
    return java.util.Arrays.copyOf(ids, n);
  }

  /**
   * Page ids of the dirty frames nobody holds among about the {@code coldest} resident frames whose last
   * recorded use ({@link PageLatch#lastOffered}: the admission tick, moved on by hits the pool hands to the
   * policy) is oldest: the pages an evicting pool will take as victims next, whatever its policy, to a first
   * approximation. Frames tied at the cut are all included; all dirty frames when {@code coldest} covers the
   * pool.
   */
  static long[] coldDirtyPages(Frame[] frames, int coldest) {
    long[] ticks = new long[frames.length];
    int n = 0;
    for (Frame f : frames) {
      if (f.pageId != PageId.INVALID) ticks[n++] = f.lastOffered;
    }
    if (coldest >= n) return dirtyPages(frames, true);
    if (coldest <= 0) return new long[0];
    long cut = kthSmallest(ticks, n, coldest - 1);
    long[] ids = new long[coldest];
    int m = 0;
    for (Frame f : frames) {
      long p = f.pageId;
      if (p != PageId.INVALID && f.dirty && f.loadingPageId == PageId.INVALID && f.lastOffered <= cut && !f.isHeld()) {
        if (m == ids.length) ids = java.util.Arrays.copyOf(ids, 2 * m);
        ids[m++] = p;
      }
    }
    return java.util.Arrays.copyOf(ids, m);
  }

  /** The k-th smallest (0-based) of {@code a[0..n)}, which it reorders: Hoare's quickselect, median-of-three pivots. */
  static long kthSmallest(long[] a, int n, int k) {
    if (k < 0 || k >= n) throw new IllegalArgumentException("k " + k + " outside 0.." + (n - 1));
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      long x = a[lo];
      long y = a[mid];
      long z = a[hi];
      long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) i++;
        while (a[j] > pivot) j--;
        if (i <= j) {
          long t = a[i];
          a[i++] = a[j];
          a[j--] = t;
        }
      }
      // a[lo..j] <= pivot <= a[i..hi], and a[j+1..i-1] == pivot
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return pivot;
    }
    return a[lo];
  }

  /**
   * Writes the dirty pages among {@code pageIds}, batch by batch, until at least {@code maxPages} were written.
   *
   * @param wait wait for latches and for other writers of a page (checkpoint: every page dirty before the
   *     call is on disk afterwards); otherwise skip pages that are latched exclusively or already in flight
   */
  Result write(long[] pageIds, boolean wait, long maxPages) {
    List<WriteCombiner.Batch> batches = WriteCombiner.group(pageIds, distance, maxBatch);
    long pages = 0;
    long batchCount = 0;
    long ops = 0;
    TreeSet<Integer> files = new TreeSet<>();
    for (WriteCombiner.Batch b : batches) {
      if (pages >= maxPages) break;
      long[] r = writeBatch(b.pages(), wait);
      if (r[0] > 0) {
        pages += r[0];
        ops += r[1];
        batchCount++;
        files.add(PageId.fileId(b.pages()[0]));
      }
    }
    return new Result(pages, batchCount, ops, files);
  }

  /**
   * Snapshots and writes one batch; returns {pages written, write operations}. When waiting, it never blocks
   * (on a latch or on another writer's copy) while it holds in-flight claims: it first writes what it has
   * snapshotted. So no cycle can form with a thread that holds a latch and waits for a page's flight to end
   * ({@code flush(id)} while holding a guard, {@code dropFile}).
   */
  private long[] writeBatch(long[] pages, boolean wait) {
    Snapshots s = new Snapshots(pages.length);
    long[] total = new long[2];
    for (long p : pages) {
      int idx = table.get(p);
      if (idx < 0) continue;
      Frame f = frames[idx];
      if (!tryLatchForSnapshot(f, p)) {
        if (!wait || f.pageId != p) continue;
        if (s.n > 0) writeSnapshots(s, total);
        if (!latchForSnapshot(f, p)) continue;
      }
      try {
        if (f.pageId != p || !f.dirty || f.loadingPageId != PageId.INVALID) {
          f.flushing = false;
          continue;
        }
        int n = s.n;
        s.versions[n] = f.version();
        MemorySegment slot = slot(n);
        MemorySegment.copy(f.page, 0, slot, 0, PageFileStore.PAGE_SIZE);
        s.lsns[n] = BufferPool.pageLsn(slot);
        s.ids[n] = p;
        s.frames[n] = f;
        s.n = n + 1;
      } finally {
        f.releaseShared();
      }
    }
    if (s.n > 0) writeSnapshots(s, total);
    return total;
  }

  /** Snapshots taken and not yet written, in page order, in slots [0, n) of the batch buffer. */
  private static final class Snapshots {
    final Frame[] frames;
    final long[] ids;
    final long[] versions;
    final long[] lsns;
    int n;

    Snapshots(int capacity) {
      frames = new Frame[capacity];
      ids = new long[capacity];
      versions = new long[capacity];
      lsns = new long[capacity];
    }
  }

  /** Writes the snapshots run by run (WAL hook, checksums, one write per run), marks clean, ends the flights. */
  private void writeSnapshots(Snapshots s, long[] total) {
    int n = s.n;
    int cleaned = 0; // snapshots [0, cleaned) have been handled
    try {
      int start = 0;
      while (start < n) {
        int end = start + 1;
        while (end < n && s.ids[end] == s.ids[end - 1] + 1) end++;
        long maxLsn = Long.MIN_VALUE;
        for (int i = start; i < end; i++) maxLsn = Math.max(maxLsn, s.lsns[i]);
        wal.flushUpTo(maxLsn); // write-ahead rule, before the run's write
        for (int i = start; i < end; i++) PageChecksum.stamp(slot(i));
        MemorySegment run = buffer.asSlice((long) start * PageFileStore.PAGE_SIZE, (long) (end - start) * PageFileStore.PAGE_SIZE);
        if (end - start == 1) store.writePage(s.ids[start], run); else store.writePages(s.ids[start], run);
        total[1]++;
        total[0] += end - start;
        for (int i = start; i < end; i++) markClean(s.frames[i], s.ids[i], s.versions[i]);
        cleaned = end;
        start = end;
      }
    } finally {
      for (int i = cleaned; i < n; i++) s.frames[i].flushing = false; // not written: they stay dirty
      s.n = 0;
    }
  }

  /** Shared latch plus the page's in-flight claim, without waiting; false (holding nothing) if busy or moved. */
  private static boolean tryLatchForSnapshot(Frame f, long p) {
    if (!f.tryAcquireShared()) return false;
    if (f.pageId == p && f.tryStartFlush()) return true;
    f.releaseShared();
    return false;
  }

  /**
   * Takes {@code f} shared and claims its in-flight write for a snapshot of page {@code p}, waiting for the
   * latch and for another writer's copy of the page to land. Returns false (holding nothing) if the frame no
   * longer holds {@code p}. The caller holds no in-flight claims while it waits.
   */
  private static boolean latchForSnapshot(Frame f, long p) {
    for (;;) {
      if (!f.acquireWhile(false, () -> f.pageId == p)) return false;
      if (f.pageId != p) {
        f.releaseShared();
        return false;
      }
      if (f.tryStartFlush()) return true;
      f.releaseShared();
      f.awaitNoFlush(); // another writer's copy of this page is in flight; look again when it has landed
    }
  }

  /** Clean only if no write guard was released on the frame since the snapshot; ends the flight either way. */
  private static void markClean(Frame f, long p, long version) {
    if (f.tryAcquireShared()) {
      if (f.pageId == p && f.version() == version) f.dirty = false;
      f.releaseShared();
    }
    f.flushing = false;
  }

  private MemorySegment slot(int i) {
    return buffer.asSlice((long) i * PageFileStore.PAGE_SIZE, PageFileStore.PAGE_SIZE);
  }

  @Override
  public void close() {
    if (arena.scope().isAlive()) arena.close();
  }
}
