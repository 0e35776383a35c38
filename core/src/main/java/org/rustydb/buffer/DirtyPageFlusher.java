package org.rustydb.buffer;

import org.rustydb.io.IoPriority;
import org.rustydb.io.IoScheduler;
import org.rustydb.io.Threads;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.ClosedException;
import org.rustydb.DatabaseFailedException;
import org.rustydb.stats.FlusherStats;

/**
 * The background dirty page flusher (spec "Dirty Page Flushing"): a named daemon thread
 * ({@value #THREAD_NAME}) that writes dirty, unpinned pages ahead of eviction, so that a miss rarely has to
 * write a victim before it can read.
 *
 * <p>Each round ({@link FlusherOptions#round()}) it counts the dirty frames; at or above
 * {@link FlusherOptions#dirtyRatioThreshold()} of the pool if the pool evicted a page since the last round,
 * or {@link FlusherOptions#idleDirtyRatioThreshold()} if not, it writes up to {@code rate x round} worth of pages
 * (while the pool evicts, only dirty pages among the coldest frames, twice as many as the last round evicted:
 * the next victims; see {@link DirtyPageWriter#coldDirtyPages}) through the pool's {@link DirtyPageWriter} (write combining, snapshots under shared latches, WAL hook
 * before each run, version-checked clean marking: see there), skipping pages a writer holds. If the round used
 * its whole allowance the achieved bandwidth (bytes over the round's wall time, the wait included) goes to the
 * {@link FlushRateController}, which steps the rate by the spec's rule. The round then sleeps out its time.
 *
 * <p>Started by the pool when {@link BufferPoolOptions#backgroundFlush()} is set (and stopped by its
 * {@code close()} before the final flush), or by an owner with {@link #start(BufferPool, FlusherOptions)}.
 * {@link #close()} stops the thread and waits for its round to end; closing twice is harmless. The thread
 * also ends by itself when a round fails with a {@link DatabaseFailedException} (the store turned read-only
 * after a failed fsync), rather than failing and logging again every round.
 * {@link #runRound()} runs one round on the caller's thread (tests drive it deterministically with it).
 *
 * <p>Its page writes are background work: a round runs in an {@link IoScheduler#runAt} scope of
 * {@link IoPriority#LOW} (the spec's priority for background I/O), so on a saturated device they wait behind
 * commits (CRITICAL), checkpoints (HIGH) and user reads (NORMAL), and aging still moves them on. The WAL
 * flushes its write-ahead hook asks for keep the log's own lane.
 */
public final class DirtyPageFlusher implements AutoCloseable {

  public static final String THREAD_NAME = "rustydb-dirty-page-flusher";
  private static final System.Logger LOG = System.getLogger(DirtyPageFlusher.class.getName());
  private static final double MIB = 1024.0 * 1024.0;
  /** While the pool evicts, a round writes the dirty pages among this many times last round's evictions of the coldest frames. */
  private static final long COLD_FACTOR = 2;

  private final BufferPool pool;
  private final FlusherOptions options;
  private final FlushRateController rate;
  private final DirtyPageWriter writer;
  private final ReentrantLock lock = new ReentrantLock(); // one round at a time; guards the writer's buffer
  private final ReentrantLock sleepLock = new ReentrantLock();
  private final Condition wake = sleepLock.newCondition();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile double currentRate;
  private long evictionsSeen; // the pool's evictions at the last round; guarded by lock

  private final AtomicLong pages = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong rounds = new AtomicLong();

  private DirtyPageFlusher(BufferPool pool, FlusherOptions options, boolean startThread) {
    this.pool = pool;
    this.options = options;
    this.rate = new FlushRateController(options.targetBandwidthMiBps());
    this.currentRate = rate.currentRate();
    this.writer = pool.newWriter(options);
    if (startThread) {
      thread = new Thread(this::loop, THREAD_NAME);
      thread.setDaemon(true);
      thread.start();
    } else {
      thread = null;
    }
  }

  /** Starts a flusher thread on {@code pool}; the caller closes it (before closing the pool). */
  public static DirtyPageFlusher start(BufferPool pool, FlusherOptions options) {
    if (pool.isClosed()) throw new ClosedException("buffer pool");
    return new DirtyPageFlusher(pool, options, true);
  }

  /** A flusher with no thread of its own: the caller runs {@link #runRound()}. */
  public static DirtyPageFlusher manual(BufferPool pool, FlusherOptions options) {
    if (pool.isClosed()) throw new ClosedException("buffer pool");
    return new DirtyPageFlusher(pool, options, false);
  }

  private void loop() {
    long roundNanos = options.round().toNanos();
    while (!stopped) {
      long start = System.nanoTime();
      try {
        runRound(start, roundNanos);
      } catch (ClosedException e) {
        return; // the pool closed under us
      } catch (DatabaseFailedException e) {
        // A failed fsync turned the store read-only for good: every later round would fail the same way.
        LOG.log(System.Logger.Level.ERROR, "dirty page flusher stops: pages can no longer be written", e);
        stopped = true;
        return;
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "dirty page flusher: a round failed; retrying next round", e);
      }
      sleepUntil(start + roundNanos);
    }
  }

  private void sleepUntil(long deadline) {
    sleepLock.lock();
    try {
      long left;
      while (!stopped && (left = deadline - System.nanoTime()) > 0) {
        wake.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      stopped = true;
    } finally {
      sleepLock.unlock();
    }
  }

  /**
   * One round now, on the caller's thread: returns the pages written (0 if the dirty ratio is below the
   * threshold). The rate is adjusted as if the round had lasted {@link FlusherOptions#round()}.
   */
  public long runRound() {
    if (stopped) throw new ClosedException("dirty page flusher");
    return runRound(System.nanoTime(), options.round().toNanos());
  }

  private long runRound(long start, long roundNanos) {
    long[] written = new long[1];
    IoScheduler.runAt(IoPriority.LOW, () -> written[0] = runRoundAtLow(start, roundNanos));
    return written[0];
  }

  private long runRoundAtLow(long start, long roundNanos) {
    lock.lock();
    try {
      if (stopped && thread != null && Thread.currentThread() == thread) return 0;
      long evictions = pool.evictions();
      long evicted = evictions - evictionsSeen;
      double ratio = evicted != 0 ? options.dirtyRatioThreshold() : options.idleDirtyRatioThreshold();
      evictionsSeen = evictions;
      long[] dirty = pool.dirtyPagesForFlusher();
      if (dirty.length < Math.max(1, Math.ceil(ratio * pool.capacity()))) return 0;
      if (evicted != 0) {
        // Only the next victims: the dirty ones among the coldest frames, twice as many as the last round
        // evicted. A hot page written now is dirty again before it is evicted: with the data 4x the pool,
        // writing every dirty page cost a quarter of the CPU and lost 10% of YCSB A's throughput against
        // no flusher at all.
        dirty = pool.coldDirtyPagesForFlusher((int) Math.min(pool.capacity(), COLD_FACTOR * evicted));
      }
      long allowance = Math.max(1, (long) (rate.currentRate() * MIB * roundNanos / 1e9 / FrameRegion.FRAME_SIZE));
      DirtyPageWriter.Result r = writer.write(dirty, false, allowance);
      rounds.incrementAndGet();
      pages.addAndGet(r.pages());
      batches.addAndGet(r.batches());
      ops.addAndGet(r.writeOps());
      if (r.pages() >= allowance) {
        double seconds = Math.max(roundNanos, System.nanoTime() - start) / 1e9;
        rate.adjust(r.pages() * FrameRegion.FRAME_SIZE / MIB / seconds);
        currentRate = rate.currentRate();
      }
      return r.pages();
    } finally {
      lock.unlock();
    }
  }

  public FlusherStats stats() {
    long p = pages.get();
    long o = ops.get();
    return new FlusherStats(p, batches.get(), o, p - o, rounds.get(), currentRate, rate.target());
  }

  public FlusherOptions options() {
    return options;
  }

  /** Whether the thread is running (false for a manual flusher and after close). */
  public boolean isRunning() {
    return thread != null && thread.isAlive();
  }

  /** Stops the thread (waiting for its round to end) and frees the batch buffer. Idempotent. */
  @Override
  public void close() {
    stopped = true;
    if (thread != null) {
      sleepLock.lock();
      try {
        wake.signalAll();
      } finally {
        sleepLock.unlock();
      }
      if (Thread.currentThread() != thread) {
        Threads.joinUninterruptibly(thread);
      }
    }
    lock.lock();
    try {
      writer.close();
    } finally {
      lock.unlock();
    }
  }
}
