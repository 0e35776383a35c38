package org.rustydb.buffer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.rustydb.disk.PageId;

/**
 * Adaptive prefetching (spec "Adaptive Prefetching"): the pool reports page references that went to disk (and
 * first references to prefetched pages, so a scan that is being served by prefetches keeps being followed);
 * an {@link AccessPatternDetector} per file and stream (the referencing thread's id picks one of
 * {@value #STREAMS} streams, so that two threads scanning one file do not look random to each other) predicts
 * the next pages; the pages not issued recently are handed,
 * as one task per reference, to a small executor that loads them into free or evictable frames without
 * pinning them (through {@link Loader}, i.e. the pool's miss path, so a page is still read only once). The
 * caller never waits: when the executor's bounded queue is full, the prediction is dropped and counted.
 *
 * <p>The depth of each prediction comes from {@link PrefetchDepth}, which adapts it to the latency of the
 * prefetch reads themselves.
 */
final class Prefetcher implements AutoCloseable {

  /** Loads a page into the pool without pinning it; returns the read's duration in ns, or -1 if nothing was read. */
  @FunctionalInterface
  interface Loader {
    long load(long pageId);
  }

  private static final System.Logger LOG = System.getLogger(Prefetcher.class.getName());
  private static final int RECENT = 64;

  private final Loader loader;
  private final Executor executor;
  private final ThreadPoolExecutor ownExecutor; // null when the executor was given
  private final PrefetchDepth depth = new PrefetchDepth();
  /** Streams per file: a thread's references go to one of them, so concurrent scans do not blur each other. */
  static final int STREAMS = 8;
  private final ConcurrentHashMap<Long, FileState> files = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  private static final class FileState {
    final AccessPatternDetector detector = new AccessPatternDetector();
    final long[] recent = new long[RECENT]; // page numbers issued lately (+1, so 0 means empty)
    int recentNext;
    final long[] predictions = new long[PrefetchDepth.MAX];

    boolean issuedLately(long pageNo) {
      for (long r : recent) if (r == pageNo + 1) return true;
      return false;
    }

    void remember(long pageNo) {
      recent[recentNext] = pageNo + 1;
      recentNext = (recentNext + 1) % RECENT;
    }
  }

  Prefetcher(Loader loader, Executor given, int threads, int queue) {
    this.loader = loader;
    if (given != null) {
      this.executor = given;
      this.ownExecutor = null;
    } else {
      AtomicInteger n = new AtomicInteger();
      ThreadFactory tf = r -> {
        Thread t = new Thread(r, "rustydb-prefetch-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      ThreadPoolExecutor ex = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(queue), tf, (r, e) -> dropped.incrementAndGet());
      ex.allowCoreThreadTimeOut(true);
      this.ownExecutor = ex;
      this.executor = ex;
    }
  }

  /** A reference to {@code pageId} that the pattern detector should see. Never blocks on I/O. */
  void onAccess(long pageId) {
    if (closed) return;
    int fileId = PageId.fileId(pageId);
    long stream = (long) fileId * STREAMS + (Thread.currentThread().threadId() & (STREAMS - 1));
    FileState st = files.computeIfAbsent(stream, k -> new FileState());
    long[] batch;
    synchronized (st) {
      int n = st.detector.access(PageId.pageNo(pageId), depth.get(), st.predictions);
      int w = 0;
      for (int i = 0; i < n; i++) {
        long p = st.predictions[i];
        if (p > PageId.MAX_PAGE_NO || st.issuedLately(p)) continue;
        st.predictions[w++] = p;
        st.remember(p);
      }
      if (w == 0) return;
      batch = new long[w];
      for (int i = 0; i < w; i++) batch[i] = PageId.of(fileId, st.predictions[i]);
    }
    try {
      executor.execute(() -> run(batch));
    } catch (RejectedExecutionException e) {
      dropped.incrementAndGet();
    }
  }

  /**
   * Loads {@code pageIds} (the caller knows it will read them soon) on the executor, one task per page so
   * that its threads read them in parallel. Never blocks; a full queue drops the rest (counted).
   */
  void prefetch(long[] pageIds) {
    if (closed) return;
    for (long pageId : pageIds) {
      try {
        executor.execute(() -> run(new long[] {pageId}));
      } catch (RejectedExecutionException e) {
        dropped.incrementAndGet();
      }
    }
  }

  private void run(long[] batch) {
    for (long pageId : batch) {
      if (closed) return;
      try {
        long nanos = loader.load(pageId);
        if (nanos >= 0) depth.adjust(nanos);
      } catch (RuntimeException e) {
        // A prediction past the end of the file, a pool full of pinned pages: the demand read will say why.
        LOG.log(System.Logger.Level.DEBUG, () -> "prefetch of page " + PageId.toString(pageId) + " failed: " + e);
      }
    }
  }

  /** Forgets a dropped file's history. */
  void forgetFile(int fileId) {
    for (int s = 0; s < STREAMS; s++) files.remove((long) fileId * STREAMS + s);
  }

  int depth() {
    return depth.get();
  }

  long dropped() {
    return dropped.get();
  }

  /** Stops issuing and waits (briefly) for reads in flight, so none lands in a closing pool. */
  @Override
  public void close() {
    closed = true;
    if (ownExecutor != null) {
      // Not shutdownNow(): interrupting a thread inside FileChannel.read closes the store's channel.
      ownExecutor.getQueue().clear();
      ownExecutor.shutdown();
      try {
        if (!ownExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.log(System.Logger.Level.WARNING, "prefetch threads did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
