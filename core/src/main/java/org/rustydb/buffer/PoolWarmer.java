package org.rustydb.buffer;

import org.rustydb.io.Threads;
import java.util.concurrent.TimeUnit;
import org.rustydb.disk.PageFileStore;
import org.rustydb.disk.PageId;

/**
 * Warms a freshly opened pool with the pages it held before (InnoDB's buffer pool dump and load): a
 * background thread ({@code rustydb-pool-warmer}) loads the given pages, in ascending page order so that
 * the disk manager's read-ahead turns runs of neighbours into large reads, into free frames only
 * ({@link BufferPool#warm}). It never evicts, never delays a reader (a reader that wants a page first loads
 * it itself; the warmer then skips it), and stops at the first full pool, at close, or at the end of the list.
 *
 * <p>Without it a reopened database answers its first reads from the device one 4 KiB page at a time (the
 * page files use O_DIRECT, so the operating system's cache does not help either), which is what an
 * engine reading through the OS page cache never shows.
 *
 * <p>A page that cannot be read (gone with its file, corrupt) is skipped and counted: the reader who needs
 * it gets the error itself.
 */
public final class PoolWarmer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PoolWarmer.class.getName());

  /** Pages per read-ahead hint: 128 KiB reads (the disk manager caps it at half its read-ahead cache). */
  static final int RUN_PAGES = 32;

  private final BufferPool pool;
  private final PageFileStore store;
  private final long[] pageIds;
  private final Thread thread;
  private volatile boolean stop;
  private volatile long loaded;
  private volatile long skipped;
  private volatile boolean finished;
  private volatile boolean full;
  private volatile int next; // pageIds[next..] not visited yet

  private PoolWarmer(BufferPool pool, PageFileStore store, long[] pageIds) {
    this.pool = pool;
    this.store = store;
    // Page 0 of a file is its header, never a pool page.
    this.pageIds = java.util.Arrays.stream(pageIds).filter(id -> id != PageId.INVALID && PageId.pageNo(id) != 0)
        .sorted().toArray();
    this.skipped = pageIds.length - this.pageIds.length;
    this.thread = Thread.ofPlatform().name("rustydb-pool-warmer").daemon().unstarted(this::run);
  }

  /**
   * Starts warming {@code pool} with {@code pageIds} (any order; invalid ids are skipped), read from
   * {@code store}, the pool's store (given for its read-ahead hints).
   */
  public static PoolWarmer start(BufferPool pool, PageFileStore store, long[] pageIds) {
    PoolWarmer w = new PoolWarmer(pool, store, pageIds);
    w.thread.start();
    return w;
  }

  private void run() {
    long start = System.nanoTime();
    long before = pool.warmedPages();
    String why = "the list ended";
    int hintedTo = -1; // pageIds[..hintedTo] are covered by read-ahead hints given so far
    for (int i = 0; i < pageIds.length; i++, next = i) {
      long id = pageIds[i];
      if (i > hintedTo) hintedTo = hintRun(i);
      if (stop || pool.isClosed()) {
        why = "it was stopped";
        break;
      }
      try {
        if (!pool.warm(id)) {
          why = "the pool is full";
          full = true;
          break;
        }
      } catch (RuntimeException e) {
        skipped++;
        LOG.log(System.Logger.Level.DEBUG, "pool warm-up skips page {0}: {1}", PageId.toString(id), e.toString());
      }
    }
    loaded = pool.warmedPages() - before;
    finished = true;
    LOG.log(System.Logger.Level.INFO, "pool warm-up loaded {0} of {1} pages in {2} ms ({3} skipped); stopped because {4}",
        loaded, pageIds.length, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), skipped, why);
  }

  /**
   * Tells the store that the run of consecutive pages of one file starting at {@code pageIds[from]} (up to
   * {@value #RUN_PAGES}) comes next, so that it reads them in one operation; returns the run's last index.
   */
  private int hintRun(int from) {
    int to = from;
    while (to + 1 < pageIds.length && to + 1 - from < RUN_PAGES && pageIds[to + 1] == pageIds[to] + 1
        && PageId.fileId(pageIds[to + 1]) == PageId.fileId(pageIds[from])) {
      to++;
    }
    if (to > from && !stop && !pool.isClosed()) {
      try {
        store.readAhead(pageIds[from], to - from + 1);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "pool warm-up: read-ahead from {0} failed: {1}", PageId.toString(pageIds[from]), e.toString());
      }
    }
    return to;
  }

  /** Whether the warmer has stopped (for whatever reason). */
  public boolean finished() {
    return finished;
  }

  /** Pages this warmer loaded (final once {@link #finished()}). */
  public long loaded() {
    return loaded;
  }

  /** Pages skipped because they could not be read or named no page (final once {@link #finished()}). */
  public long skipped() {
    return skipped;
  }

  /**
   * The listed pages the warmer did not get to because it was stopped (not because the pool filled up): a
   * database closed soon after opening keeps them in its next list. Meaningful once {@link #finished()}.
   */
  public long[] unvisited() {
    return full ? new long[0] : java.util.Arrays.copyOfRange(pageIds, Math.min(next, pageIds.length), pageIds.length);
  }

  /** Waits up to {@code millis} for the warmer to end on its own; returns whether it has. */
  public boolean awaitFinished(long millis) throws InterruptedException {
    thread.join(millis);
    return finished;
  }

  /** Stops warming and waits for the thread (it finishes the page it is reading). Idempotent. */
  @Override
  public void close() {
    stop = true;
    Threads.joinUninterruptibly(thread);
  }
}
