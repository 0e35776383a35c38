package org.rustydb.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.rustydb.disk.PageFileStore;
import org.rustydb.disk.PageId;
import org.rustydb.io.Threads;

/**
 * Warms a freshly opened pool with the pages it held before (InnoDB's buffer pool dump and load): loads the
 * given pages, in ascending page order, into free frames only ({@link BufferPool#warm}). It never evicts,
 * never delays a reader (a reader that wants a page first loads it itself; the warmer then skips it), and
 * stops at the first full pool, at close, or at the end of the list.
 *
 * <p>Two threads, so that the device and the copying work at once: {@code rustydb-pool-warmer-reader}
 * reads runs of neighbouring pages (up to {@value #RUN_PAGES} pages, across gaps of up to {@value #MAX_GAP}
 * unlisted pages) in one read each ({@link PageFileStore#readPages}) into one of {@value #BUFFERS} buffers,
 * while {@code rustydb-pool-warmer} copies the previous run's listed pages into frames. A run that cannot be
 * read whole (a corrupt page in it) is loaded page by page, through the store, like a reader's miss.
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

  /**
   * Pages per read: 1 MiB. Larger reads move more per device round trip (fio, O_DIRECT, queue depth 1 on
   * the development VM: 794 MiB/s with 128 KiB reads against 68 MiB/s with 4 KiB ones); warming YCSB's
   * 19,403 pages took 123-194 ms (median 148) with 1 MiB runs against 172-206 ms (median 177) with 256 KiB
   * ones, five alternating opens each. A run also stops at a file's end or a longer gap.
   */
  static final int RUN_PAGES = 256;
  /** Unlisted pages a run may read through to reach the next listed page of the file. */
  static final int MAX_GAP = 8;
  /** Runs read ahead of the copying, plus the one being copied. */
  static final int BUFFERS = 3;

  private static final int PAGE = PageFileStore.PAGE_SIZE;

  private final BufferPool pool;
  private final PageFileStore store;
  private final long[] pageIds;
  private final Thread thread;
  private final Thread reader;
  private final BlockingQueue<MemorySegment> freeBuffers = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Run> readRuns = new ArrayBlockingQueue<>(BUFFERS);
  private volatile boolean stop;
  private volatile long loaded;
  private volatile long skipped;
  private volatile boolean finished;
  private volatile boolean full;
  private volatile int next; // pageIds[next..] not visited yet

  /**
   * Listed pages {@code pageIds[from..to]} of one file, read (unless {@code buffer} is null: not read, load
   * them page by page) as the pages from {@code firstPageId} on into {@code buffer}, when the pool's
   * {@link BufferPool#pagesLeft()} was {@code since}.
   */
  private record Run(int from, int to, long firstPageId, MemorySegment buffer, long since) {}

  private static final Run END = new Run(-1, -1, PageId.INVALID, null, 0);

  private PoolWarmer(BufferPool pool, PageFileStore store, long[] pageIds) {
    this.pool = pool;
    this.store = store;
    // Page 0 of a file is its header, never a pool page.
    this.pageIds = java.util.Arrays.stream(pageIds).filter(id -> id != PageId.INVALID && PageId.pageNo(id) != 0)
        .sorted().distinct().toArray();
    this.skipped = pageIds.length - this.pageIds.length;
    this.thread = Thread.ofPlatform().name("rustydb-pool-warmer").daemon().unstarted(this::run);
    this.reader = Thread.ofPlatform().name("rustydb-pool-warmer-reader").daemon().unstarted(this::read);
  }

  /**
   * Starts warming {@code pool} with {@code pageIds} (any order; invalid ids are skipped), read from
   * {@code store}, the pool's store.
   */
  public static PoolWarmer start(BufferPool pool, PageFileStore store, long[] pageIds) {
    PoolWarmer w = new PoolWarmer(pool, store, pageIds);
    w.thread.start();
    return w;
  }

  /**
   * The reader thread: reads each run into a free buffer and queues it, in list order, then END (also if it
   * dies of an error, so that the copier does not wait for it until close).
   */
  private void read() {
    try {
      for (int from = 0; from < pageIds.length; ) {
        int to = runEnd(from);
        MemorySegment buf = take(freeBuffers);
        if (buf == null) return; // stopped
        long first = pageIds[from];
        int count = (int) (pageIds[to] - first + 1);
        long since = pool.pagesLeft();
        try {
          store.readPages(first, count, buf);
        } catch (RuntimeException e) { // a bad page somewhere in the run: each page will say for itself
          LOG.log(System.Logger.Level.DEBUG, "pool warm-up: reading {0} pages from {1} failed, loading them one by one: {2}",
              count, PageId.toString(first), e.toString());
          freeBuffers.add(buf);
          buf = null;
        }
        if (!put(new Run(from, to, first, buf, since))) return;
        from = to + 1;
      }
    } finally {
      put(END); // false at once when stopped: the copier has stopped too
    }
  }

  /** The index of the last listed page of the run that starts at {@code from}. */
  private int runEnd(int from) {
    int to = from;
    while (to + 1 < pageIds.length && PageId.fileId(pageIds[to + 1]) == PageId.fileId(pageIds[from])
        && pageIds[to + 1] - pageIds[to] <= MAX_GAP + 1 && pageIds[to + 1] - pageIds[from] < RUN_PAGES) {
      to++;
    }
    return to;
  }

  private void run() {
    long start = System.nanoTime();
    long before = pool.warmedPages();
    String why = "the list ended";
    // Freed by the garbage collector once both threads are done with them (3 MiB): closing a shared arena
    // would stop every thread of the JVM for a handshake, the clients' included, for nothing they use.
    Arena arena = Arena.ofAuto();
    for (int b = 0; b < BUFFERS; b++) freeBuffers.add(arena.allocate((long) RUN_PAGES * PAGE, PAGE));
    reader.start();
    try {
      why = copyRuns();
    } finally {
      stop = true; // the reader stops too
      Threads.joinUninterruptibly(reader);
      freeBuffers.clear();
    }
    loaded = pool.warmedPages() - before;
    finished = true;
    LOG.log(System.Logger.Level.INFO, "pool warm-up loaded {0} of {1} pages in {2} ms ({3} skipped); stopped because {4}",
        loaded, pageIds.length, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), skipped, why);
  }

  /** Copies the runs the reader queues into free frames until the list ends; returns why it stopped. */
  private String copyRuns() {
    while (true) {
      Run run = take(readRuns);
      if (run == null) return "it was stopped";
      if (run == END) return "the list ended";
      for (int i = run.from(); i <= run.to(); i++, next = i) {
        if (stopped()) return "it was stopped";
        long id = pageIds[i];
        try {
          boolean room = run.buffer() == null ? pool.warm(id)
              : pool.warm(id, run.buffer().asSlice((id - run.firstPageId()) * PAGE, PAGE), run.since());
          if (!room) {
            full = true;
            return "the pool is full";
          }
        } catch (RuntimeException e) {
          skipped++;
          LOG.log(System.Logger.Level.DEBUG, "pool warm-up skips page {0}: {1}", PageId.toString(id), e.toString());
        }
      }
      next = run.to() + 1;
      if (run.buffer() != null) freeBuffers.add(run.buffer());
    }
  }

  private boolean stopped() {
    return stop || pool.isClosed();
  }

  /** The next element, waiting while not stopped; null once stopped. */
  private <T> T take(BlockingQueue<T> q) {
    try {
      for (T t; !stopped(); ) if ((t = q.poll(POLL_MILLIS, TimeUnit.MILLISECONDS)) != null) return t;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** Queues {@code run} for the copier, waiting while not stopped; false once stopped. */
  private boolean put(Run run) {
    try {
      while (!stopped()) if (readRuns.offer(run, POLL_MILLIS, TimeUnit.MILLISECONDS)) return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private static final long POLL_MILLIS = 5;

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
