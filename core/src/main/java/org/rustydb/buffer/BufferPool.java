package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import org.rustydb.ClosedException;
import org.rustydb.CorruptionException;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.PageFileStore;
import org.rustydb.io.IoPriority;
import org.rustydb.io.IoScheduler;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageChecksum;
import org.rustydb.page.PageLayout;
import org.rustydb.stats.BufferPoolStats;

/**
 * The buffer pool: caches pages of a {@link PageFileStore} in off-heap frames and hands out guarded access.
 *
 * <h2>Design</h2>
 *
 * <p><b>Memory.</b> All frames are slices of one 4096-aligned off-heap region ({@link FrameRegion}), so direct
 * I/O and io_uring fixed buffers can read into them with no copy. {@link #frameRegion()} exposes it.
 *
 * <p><b>Finding a resident page (the hit path) takes no lock and allocates nothing.</b> The
 * {@link PageTable} is an open-addressing table from page id to frame read with plain (opaque) loads; its
 * answer is a hint. The reader latches the frame it names ({@link PageLatch}: for shared, a slot of its own
 * in the pool's {@link ReaderSlots} while the frame is reader-biased, else one atomic add on the latch word;
 * nothing for an optimistic read) and then checks {@link Frame#pageId}, which only changes under the frame's
 * exclusive latch. If the hint was stale, the reader falls back to the slow path. A latch held in any mode,
 * biased readers included, <em>is</em> the pin: eviction claims a frame only with {@code tryAcquireExclusive},
 * which fails while a shared count or a reader slot holds it, so a guarded page can never be chosen. A biased
 * read guard writes no cache line that another reader writes; the hit is counted with no atomic instruction
 * ({@link HitCounter}). {@link #read} and {@link #write} stay small enough
 * to be inlined into their callers, so escape analysis removes the guard object; everything else is in
 * {@link #slowPath} (see there why it is one long method).
 *
 * <p><b>Hits reach the policy lazily, and only when they matter.</b> A {@link Replacer} is not
 * thread-safe, and taking a lock on every hit would serialise all readers; replaying every hit into it costs
 * a hash lookup or two per hit even so. Two filters, then: (1) a hit is recorded only if at least
 * {@link BufferPoolOptions#hitWindow()} pages were admitted since the page was admitted or last recorded
 * (InnoDB's rule for pages already in the young part of its LRU list: the order among recently used pages
 * only matters once enough evictions have happened to reach them; a pool that is not evicting records
 * almost nothing, and quick re-references count once, like LRU-K's correlated references). The clock is a
 * volatile admission counter; the page's last recorded tick sits on its latch's cache line. (2) A recorded
 * hit goes into a {@link HitBuffer} (striped, lossy ring buffers, after Caffeine), replayed into the policy
 * under the <em>miss lock</em> before every miss and whenever a ring is half full and the lock is free.
 * Dropping a hit when a ring is full only coarsens the policy's view of the hottest pages.
 *
 * <p><b>Misses take the miss lock only for bookkeeping, never for I/O.</b> One {@link ReentrantLock} guards
 * the policy, the page table's writers and the free-frame list. A miss on page P ({@link #slowPath}), in three
 * steps:
 * <ol>
 *   <li>Under the lock: if P is mapped after all, go back and latch it. Otherwise ask the policy to admit P;
 *       it proposes victims, and the pool claims the first whose frame latch it can take exclusively (a
 *       pinned or loading frame refuses; a few dirty ones whose log is not durable yet are passed over, see
 *       {@link #tryClaimVictim}). Map P to the claimed frame ({@link Frame#loadingPageId} = P) while
 *       the victim V stays mapped too: its bytes may be newer than the disk's until written.</li>
 *   <li>If V is clean (or there was none), unmap it and make the frame P's, still under the lock. If V is
 *       dirty: without the lock, still holding the frame exclusively, call the {@link WalFlushHook} with its
 *       LSN, stamp its checksum and write it; then, under the lock again, unmap V and make the frame P's.</li>
 *   <li>Without the lock: read P into the frame and verify its checksum; release the latch (or downgrade it
 *       to shared for a reader, or keep it for a writer).</li>
 * </ol>
 * A concurrent miss on P finds P mapped in step 1 and waits on the frame's latch until step 3 ends: one read
 * per page however many threads miss it. A reader of V during step 2 waits on the same latch, then sees that
 * the frame now holds P and retries, by which time V is on disk. A failed read unmaps P and frees the frame;
 * the waiters retry and see the error themselves.
 *
 * <p><b>Write-back</b> of one page (eviction, {@link #flush}) holds the frame exclusively while stamping the
 * checksum, so that optimistic readers see a version change, and clears the dirty flag before the write (a
 * writer who comes after it sets the flag again). Many pages ({@link #flushAll}, the {@link DirtyPageFlusher},
 * emergency memory reclaim) go through {@link DirtyPageWriter}: sorted, combined into runs, written from
 * snapshots taken under shared latches, marked clean only if unchanged meanwhile; a page whose copy is in
 * flight ({@link Frame#flushing}) is not evicted, and single-page write-back waits for the copy to land.
 *
 * <p><b>Memory budget.</b> With a memory manager the region comes from it and {@link FrameReclaimer} gives
 * clean frames back under pressure; decommitted frames are recommitted before reuse, or the miss evicts past
 * the policy instead (see {@code docs/architecture.md}).
 *
 * <p><b>Prefetching</b> ({@link Prefetcher}) sees every page reference that went to disk and every first
 * reference to a prefetched page, and loads predicted pages through the same miss path on its own threads,
 * into frames it leaves unpinned. A prefetch never evicts a dirty page.
 *
 * <h2>Rules for callers</h2>
 * Guards are used from the thread that opened them and closed with try-with-resources. Holding a guard while
 * asking for another is allowed (latch coupling), in a consistent order across threads; {@link #flush},
 * {@link #flushAll}, {@link #dropFile} and {@link #close} wait for or refuse pages the caller itself holds.
 */
public final class BufferPool implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(BufferPool.class.getName());
  private static final int FULL_RETRIES = 64;
  /** Polls of the miss lock before a miss parks on it (see {@link #lockForMiss}); each a few tens of ns. */
  private static final int MISS_LOCK_SPINS = 200;
  /** How long a miss waits for a frame to come free before it reports the pool full (pinned for good). */
  private static final long FULL_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
  private static final java.lang.foreign.ValueLayout.OfLong LE_LONG =
      java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle PREFETCHED;

  static {
    try {
      PREFETCHED = MethodHandles.lookup().findVarHandle(Frame.class, "prefetched", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private enum Mode {
    READ, WRITE, NEW, PREFETCH,
    /** A prefetch that only takes a free frame ({@link #warm}): it never evicts. */
    WARM
  }

  /**
   * Subtracted from {@link PageLatch#lastOffered} while a prefetched page is unused: the tick is then so far
   * back (negative) that the first hit fails the hit-window test and takes the rare path, which counts the
   * prefetch hit and adds this back (so the hit window still runs from the admission). The hit path thus
   * tests one word, not the prefetched flag as well. Ticks (admissions) stay far below 2^61, so nothing
   * overflows.
   */
  private static final long UNUSED_PREFETCH = 1L << 61;

  private final PageFileStore store;
  private final FrameRegion region;
  private final Frame[] frames;
  private final PageTable table;
  private final ReaderSlots readerSlots;
  private final Replacer replacer;
  private final HitBuffer hits;
  private final WalFlushHook wal;
  private final Prefetcher prefetcher; // null when prefetching is off
  private final FlusherOptions flushOptions;
  private final FrameMemory memory; // null without a memory manager
  private final org.rustydb.memory.MemoryBudget.Registration reclaimRegistration; // null without one
  private final DirtyPageFlusher flusher; // null unless backgroundFlush

  private final ReentrantLock missLock = new ReentrantLock();
  // Under missLock:
  private final int[] freeFrames;
  private int freeCount;
  private int sweepHand; // clock hand for reclaim and for eviction past the policy (see FrameReclaimer)
  private Frame claimed;
  private boolean claimingForPrefetch;
  /**
   * Dirty victims a miss may pass over because their log is not durable yet (see {@link #tryClaimVictim}):
   * one per 128 frames, at most 32 (fewer than LIRS's smallest HIR part holds, 1% of the frames, so the
   * pass-overs never reach its hot LIR pages). Guarded by the miss lock, as the two fields below.
   */
  private final int maxDeferrals;
  private int deferrals;
  private boolean deferredForLog;
  private final AtomicLong passedOver = new AtomicLong();
  /** Whether the store checks each page's checksum as it reads it (then the pool does not again). */
  private final boolean storeVerifies;
  private final LongPredicate tryEvict = this::tryClaimVictim;
  private final LongConsumer replayHit = this::replayHit;
  /** Admissions so far (the pool's clock for {@link BufferPoolOptions#hitWindow()}); written under the lock. */
  private volatile long ticks;
  private final long hitWindow;

  private final HitCounter hitCount; // exact, and no atomic instruction per hit
  private final AtomicLong missCount = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();
  private final AtomicLong prefetches = new AtomicLong();
  private final AtomicLong prefetchHits = new AtomicLong();
  private final AtomicLong prefetchMisses = new AtomicLong();
  private final AtomicLong checkpoints = new AtomicLong();
  private final AtomicLong warmed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong(); // pages unmapped with their file (pagesLeft)
  private volatile boolean closed;

  public BufferPool(PageFileStore store, BufferPoolOptions options) {
    this.store = java.util.Objects.requireNonNull(store, "store");
    int n = options.frames();
    this.replacer = options.replacer().apply(n);
    if (replacer == null || replacer.capacity() != n) {
      throw new IllegalArgumentException("replacer factory must return a policy of capacity " + n);
    }
    this.region = options.memoryManager() != null
        ? FrameRegion.fromMemoryManager(options.memoryManager(), n)
        : FrameRegion.allocate(n);
    this.frames = new Frame[n];
    this.freeFrames = new int[n];
    MemorySegment[] slices = new MemorySegment[n];
    for (int i = 0; i < n; i++) slices[i] = region.frame(i);
    this.readerSlots = new ReaderSlots(Math.max(64, 4 * Runtime.getRuntime().availableProcessors()));
    for (int i = 0; i < n; i++) { // allocated back to back: a hit reads one small object, densely packed
      frames[i] = new Frame(i, slices[i], readerSlots);
      freeFrames[i] = n - 1 - i; // pop order 0, 1, 2...
    }
    this.freeCount = n;
    this.table = new PageTable(n);
    this.maxDeferrals = Math.min(32, n / 128);
    this.storeVerifies = store.verifiesChecksums(); // the disk manager does: one CRC per miss, not two
    int stripes = options.hitStripes() > 0 ? options.hitStripes() : 4 * Runtime.getRuntime().availableProcessors();
    this.hits = new HitBuffer(stripes);
    this.hitCount = new HitCounter(Math.max(64, stripes)); // more stripes than the ring buffers: fewer shared ones
    this.hitWindow = options.hitWindow() >= 0 ? options.hitWindow() : n / 8;
    this.wal = options.walFlushHook();
    this.prefetcher = options.prefetch()
        ? new Prefetcher(this::prefetchLoad, options.prefetchExecutor(), options.prefetchThreads(), options.prefetchQueue())
        : null;
    this.flushOptions = options.flusher();
    if (options.memoryManager() != null) {
      this.memory = new FrameMemory(options.memoryManager(), region.segment(), n);
      this.reclaimRegistration = options.memoryManager().budget().addReclaimer(new FrameReclaimer(this, memory));
    } else {
      this.memory = null;
      this.reclaimRegistration = null;
    }
    this.flusher = options.backgroundFlush() ? DirtyPageFlusher.start(this, flushOptions) : null;
  }

  // ------------------------------------------------------------------ guards

  /** Shared access to page {@code pageId}, reading it if it is not resident. */
  public ReadGuard read(long pageId) {
    Frame f = lookUp(pageId);
    int how = f == null ? PageLatch.REFUSED : enterShared(f, pageId);
    if (how == PageLatch.REFUSED) {
      f = slowPath(null, pageId, Mode.READ, null);
      how = PageLatch.COUNTED;
    } else if (isRareHit(f)) {
      slowPath(f, pageId, Mode.READ, null);
    }
    return new ReadGuard(f, pageId, how, readerSlots);
  }

  /**
   * Shared access to page {@code pageId} if it is resident and its latch is free now; else null, at once.
   * For a caller that holds another latch and must not wait (a cursor stepping to the next leaf while it
   * holds the current one: waiting could close a cycle with a writer that latches right to left).
   */
  public ReadGuard tryRead(long pageId) {
    Frame f = lookUp(pageId);
    int how = f == null ? PageLatch.REFUSED : enterShared(f, pageId);
    if (how == PageLatch.REFUSED) return null;
    if (isRareHit(f)) onRareHit(f, pageId);
    return new ReadGuard(f, pageId, how, readerSlots);
  }

  /** Exclusive access to page {@code pageId}, reading it if it is not resident; the page becomes dirty. */
  public WriteGuard write(long pageId) {
    Frame f = tryHitExclusive(pageId);
    if (f == null) f = slowPath(null, pageId, Mode.WRITE, null);
    f.dirty = true;
    return new WriteGuard(f, pageId);
  }

  /** Allocates a page in file {@code fileId} (through the store) and returns it zeroed, dirty and latched. */
  public WriteGuard newPage(int fileId) {
    checkOpen();
    long pageId = store.allocatePage(fileId);
    Frame f;
    try {
      f = slowPath(null, pageId, Mode.NEW, null);
    } catch (RuntimeException e) {
      try {
        store.freePage(pageId);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    f.page.fill((byte) 0); // also when a freed page id was reused while its old image was still cached
    f.dirty = true;
    return new WriteGuard(f, pageId);
  }

  /**
   * Exclusive access to existing page {@code pageId} without reading it: the frame comes back zeroed (also
   * when the page was resident), dirty and latched. For recovery, which rebuilds the whole page (a full-page
   * image, a page format) and must not fail on a copy a crash tore on disk.
   */
  public WriteGuard overwrite(long pageId) {
    Frame f = slowPath(null, pageId, Mode.NEW, null);
    f.page.fill((byte) 0);
    f.dirty = true;
    return new WriteGuard(f, pageId);
  }

  /**
   * An optimistic read of page {@code pageId}: no pin, no latch; check {@link OptimisticGuard#validate()}
   * after reading. Reads the page first if it is not resident.
   */
  public OptimisticGuard optimisticRead(long pageId) {
    checkOpen();
    checkPageId(pageId);
    Frame f = (Frame) table.getRef(pageId);
    long stamp = 0;
    if (f != null) {
      stamp = f.tryOptimistic();
      // No validate here: if the frame changes hands after the stamp, the caller's validate() fails.
      if (stamp != 0 && f.pageId == pageId) {
        hitCount.increment();
        if (isRareHit(f)) slowPath(f, pageId, Mode.READ, null);
      } else {
        f = null;
      }
    }
    if (f == null) {
      f = slowPath(null, pageId, Mode.READ, null);
      stamp = f.tryOptimistic(); // valid: we hold it shared, so no writer is in
      f.releaseShared();
    }
    return new OptimisticGuard(f, pageId, stamp); // one allocation site, so that escape analysis can drop it
  }

  /** The frame the page table names for {@code pageId} (a hint), or null. */
  private Frame lookUp(long pageId) {
    checkOpen();
    checkPageId(pageId);
    return (Frame) table.getRef(pageId);
  }

  /**
   * The hit path of {@link #read}: the latch entered ({@link PageLatch#tryEnterShared(ReaderSlots)}: a reader
   * slot of this thread's own while the frame is reader-biased, else one atomic add on the latch word), the
   * page id check, the hit counted with no atomic instruction. {@link PageLatch#REFUSED} when the frame is
   * held exclusively or the hint was stale; the caller then takes {@link #slowPath}. Never waits.
   */
  private int enterShared(Frame f, long pageId) {
    int how = f.tryEnterShared(readerSlots);
    if (how == PageLatch.REFUSED) return how;
    if (f.pageId != pageId) {
      f.exitShared(readerSlots, how);
      return PageLatch.REFUSED;
    }
    if (how >= 0) readerSlots.countHit(how); else hitCount.increment();
    return how;
  }

  /**
   * The hit path of {@link #write}: one table probe, one CAS if the latch is free, the page id check. Null
   * when the page is not resident, its latch is held, or the hint was stale: {@link #slowPath} then waits
   * or loads (a contended latch is the slow path's business, so this never waits either).
   */
  private Frame tryHitExclusive(long pageId) {
    checkOpen();
    checkPageId(pageId);
    Frame f = (Frame) table.getRef(pageId);
    if (f == null || !f.tryAcquireExclusive()) return null;
    if (f.pageId != pageId) {
      f.releaseExclusive();
      return null;
    }
    onHit(f, pageId);
    return f;
  }

  /**
   * Whether a hit must be handed on ({@link #onRareHit}): a hit window has passed since the policy last heard
   * of the page, or the page was prefetched and this is its first use. One field of the frame (next to the
   * latch word, already loaded) and the pool's tick; in steady state almost always false.
   */
  private boolean isRareHit(Frame f) {
    return ticks - f.lastOffered >= hitWindow; // also true for an unused prefetched page: see UNUSED_PREFETCH
  }

  /** Counts a hit found on the slow path and hands it on if needed. */
  private void onHit(Frame f, long pageId) {
    hitCount.increment();
    if (isRareHit(f)) onRareHit(f, pageId);
  }

  private void onRareHit(Frame f, long pageId) {
    if (f.prefetched && (boolean) PREFETCHED.compareAndSet(f, true, false)) {
      long marked = f.lastOffered;
      if (marked < 0) f.lastOffered = marked + UNUSED_PREFETCH; // the admission tick again (see UNUSED_PREFETCH)
      prefetchHits.incrementAndGet();
      if (prefetcher != null) prefetcher.onAccess(pageId);
    }
    long now = ticks;
    if (now - f.lastOffered >= hitWindow) {
      f.lastOffered = now;
      if (hits.offer(pageId) && missLock.tryLock()) {
        try {
          drainHits();
        } finally {
          missLock.unlock();
        }
      }
    }
  }

  /** Replays buffered hits into the policy. Caller holds the miss lock. */
  private void drainHits() {
    hits.drain(replayHit);
  }

  private void replayHit(long pageId) {
    // Still resident in the policy's view? (Our own table is cheaper to ask than the policy: the policy's
    // resident set is exactly the pages mapped to a frame that holds them and is not handing them over.)
    int idx = table.get(pageId);
    if (idx < 0) return;
    Frame f = frames[idx];
    if (f.pageId == pageId && f.loadingPageId == PageId.INVALID) replacer.recordHit(pageId);
  }

  // ------------------------------------------------------------------ the miss path

  /**
   * Everything but a plain hit, out of line. With {@code hit} (a frame the caller latched and counted a hit
   * on), hands that hit on to the prefetcher or the policy ({@link #onRareHit}) and returns it. Otherwise
   * returns the frame holding {@code pageId} latched for {@code mode} (exclusive for WRITE/NEW, shared for
   * READ), after bringing it in (read, or zeroed for NEW) when it is not resident; for PREFETCH, brings it in
   * and leaves it unlatched, or returns null when it was resident or no clean frame could be had.
   *
   * <p>One method on purpose, although long: at over 325 bytecodes it is above HotSpot's limit for inlining
   * even a hot method ({@code FreqInlineSize}), so it is never inlined into the hit paths. They stay small
   * enough that {@link #read} and {@link #write} are in turn inlined into their callers, where escape
   * analysis then removes the guard object (no allocation per guard). A smaller slow path gets inlined
   * whenever its profile looks hot (e.g. a cold start's misses), making {@code read} too big to inline and
   * every guard an allocation ({@code -prof gc}, docs/benchmarks.md).
   *
   * <p>A miss, in three steps:
   * <ol>
   *   <li>Under the miss lock: if the page is mapped after all, go back and latch it; otherwise admit it
   *       and claim a frame (free, or a victim's that nobody holds), map the page to it
   *       ({@link Frame#loadingPageId}) while the victim stays mapped too.</li>
   *   <li>A clean victim is unmapped and the frame made the page's still under the lock; a dirty one is
   *       written back without it (the frame held exclusively), then unmapped under the lock again.</li>
   *   <li>Without the lock: fill the frame and release, downgrade or keep the latch.</li>
   * </ol>
   */
  private Frame slowPath(Frame hit, long pageId, Mode mode, WarmCopy copy) {
    if (hit != null) {
      onRareHit(hit, pageId);
      return hit;
    }
    boolean background = mode == Mode.PREFETCH || mode == Mode.WARM; // no caller waits: give up, never throw
    if (!background) {
      checkOpen();
      checkPageId(pageId);
    }
    boolean exclusive = mode == Mode.WRITE || mode == Mode.NEW;
    int attempt = 0;
    long fullSince = 0;
    boolean backOff = false;
    for (;;) {
      if (backOff) {
        backOff = false;
        attempt++;
        // Frames may be held only for a moment (loads, guards about to close), or for an I/O (a write-back
        // or a flusher's batch in flight waiting for the WAL): yield first, then park, until FULL_WAIT_NANOS.
        if (attempt < FULL_RETRIES) {
          Thread.yield();
        } else {
          if (fullSince == 0) fullSince = System.nanoTime();
          java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
      }
      if (!background) {
        int idx = table.get(pageId);
        if (idx >= 0) {
          Frame f = frames[idx];
          // Wait on the frame's latch only while the frame is (or is becoming) ours: it can be handed to another
          // page while we wait (or a torn lookup named one this thread holds for another page), and whoever
          // latches it for that page may be waiting for a latch we hold.
          if ((f.pageId == pageId || f.loadingPageId == pageId)
              && f.acquireWhile(exclusive, () -> f.pageId == pageId || f.loadingPageId == pageId)) {
            if (f.pageId == pageId) {
              onHit(f, pageId);
              return f;
            }
            if (exclusive) f.releaseExclusive(); else f.releaseShared();
          }
        }
      }

      // Step 1: claim a frame.
      Frame f;
      long victim;
      if (memory != null && memory.count() > 0) recommitOneIfShort(); // a racy hint; checked again under the lock
      lockForMiss();
      try {
        if (closed) {
          if (background) return null;
          throw new ClosedException("buffer pool");
        }
        drainHits();
        if (table.get(pageId) >= 0) {
          if (background) return null;
          continue; // mapped meanwhile: latch it through the table
        }
        if (mode == Mode.WARM && freeCount == 0) return null;
        if (copy != null && pagesLeft() != copy.since()) copy = null; // this page may have left since: read it
        claimed = null;
        claimingForPrefetch = background;
        deferrals = background ? 0 : maxDeferrals;
        deferredForLog = false;
        long r = replacer.admit(pageId, tryEvict);
        if (deferredForLog) wal.flushSoon();
        if (r == Replacer.NO_ROOM) {
          if (background) return null;
          if (fullSince == 0 || System.nanoTime() - fullSince < FULL_WAIT_NANOS) {
            backOff = true;
            continue;
          }
          throw new OperationFailedException("buffer pool full: all " + frames.length + " frames pinned");
        }
        if (r == Replacer.NONE && freeCount == 0) {
          // The policy has room, but frames were given back to the memory budget (or are on their way): evict
          // one past the policy instead of growing.
          f = memory == null ? null : sweepForVictim(background);
          if (f == null) {
            replacer.remove(pageId);
            if (memory == null) throw new IllegalStateException("buffer pool: the policy admitted a page but no frame is free");
            if (background) return null;
            if (fullSince == 0 || System.nanoTime() - fullSince < FULL_WAIT_NANOS) {
              backOff = true;
              continue;
            }
            throw new OperationFailedException("buffer pool full: all " + (frames.length - memory.count())
                + " frames the memory budget leaves it are pinned");
          }
          victim = f.pageId;
          replacer.remove(victim);
        } else if (r == Replacer.NONE) {
          f = frames[freeFrames[--freeCount]];
          f.acquireExclusive(); // free frames are held only for a moment, by readers with stale hints
          victim = PageId.INVALID;
        } else {
          f = claimed;
          if (f == null || f.pageId != r) {
            throw new IllegalStateException("buffer pool: the policy evicted page " + PageId.toString(r)
                + " without claiming its frame");
          }
          victim = r;
        }
        claimed = null;
        long now = ticks + 1;
        ticks = now;
        f.lastOffered = now;
        f.loadingPageId = pageId;
        table.put(pageId, f.index, f);
        // A clean victim's bytes are the disk's: hand the frame over now, which spares most misses a second
        // round of the lock (the frame stays held exclusively, so whoever wants either page waits or retries).
        if (victim == PageId.INVALID || !f.dirty) handOver(f, pageId, victim);
      } finally {
        missLock.unlock();
      }

      // Step 2: write a dirty victim back (frame held exclusively, no lock), then hand the frame over.
      if (f.loadingPageId == pageId) {
        try {
          writeBack(f, victim);
        } catch (RuntimeException | Error e) {
          undoClaim(f, pageId, victim);
          throw e;
        }
        lockForMiss();
        try {
          handOver(f, pageId, victim);
        } finally {
          missLock.unlock();
        }
      }

      // Step 3: fill the frame.
      try {
        if (mode == Mode.NEW) {
          f.page.fill((byte) 0);
        } else {
          if (copy != null) MemorySegment.copy(copy.page(), 0, f.page, 0, PageFileStore.PAGE_SIZE);
          else store.readPage(pageId, f.page);
          if (!storeVerifies && !PageChecksum.verify(f.page) && !PageChecksum.isAllZero(f.page)) { // zero: never written
            throw new CorruptionException("page " + PageId.toString(pageId) + " (file " + PageId.fileId(pageId)
                + ", page " + PageId.pageNo(pageId) + "): checksum mismatch at offset " + PageLayout.CHECKSUM_OFFSET
                + ": stored 0x" + Integer.toHexString(PageChecksum.stored(f.page)) + ", computed 0x"
                + Integer.toHexString(PageChecksum.compute(f.page)));
          }
        }
      } catch (RuntimeException | Error e) {
        abandonLoad(f, pageId);
        throw e;
      }
      switch (mode) {
        case READ -> {
          missCount.incrementAndGet();
          f.downgrade();
          if (prefetcher != null) prefetcher.onAccess(pageId);
        }
        case WRITE, NEW -> {
          missCount.incrementAndGet();
          if (prefetcher != null && mode == Mode.WRITE) prefetcher.onAccess(pageId);
        }
        case PREFETCH -> {
          prefetches.incrementAndGet();
          f.prefetched = true;
          f.lastOffered -= UNUSED_PREFETCH; // marked unused: the first hit takes the rare path, which counts it
          f.releaseExclusive();
        }
        case WARM -> {
          warmed.incrementAndGet();
          f.releaseExclusive();
        }
      }
      return f;
    }
  }

  /**
   * Takes the miss lock, spinning a little before parking: it is held for microseconds (a policy step, a
   * few table writes), and with misses frequent (data several times the pool) parking on it and waking
   * the parked thread at each release cost two futex calls per contended miss, a fifth of the clients' CPU.
   */
  private void lockForMiss() {
    for (int i = 0; i < MISS_LOCK_SPINS; i++) {
      if (!missLock.isLocked() && missLock.tryLock()) return;
      Thread.onSpinWait();
    }
    missLock.lock();
  }

  /** Under the miss lock: unmaps {@code victim} (if any) and makes claimed frame {@code f} page {@code pageId}'s. */
  private void handOver(Frame f, long pageId, long victim) {
    if (victim != PageId.INVALID) {
      table.remove(victim);
      evictions.incrementAndGet();
      if ((boolean) PREFETCHED.compareAndSet(f, true, false)) prefetchMisses.incrementAndGet();
    }
    f.pageId = pageId;
    f.loadingPageId = PageId.INVALID;
    f.dirty = false;
    f.prefetched = false;
    f.biasCredit = 0; // a new page: reader-biased again from its first counted read (the old page's credit is moot)
  }

  /** The policy's tryEvict: claim the victim's frame if nobody holds it (and, for prefetches, it is clean). */
  private boolean tryClaimVictim(long victim) {
    int idx = table.get(victim);
    if (idx < 0) return false;
    Frame f = frames[idx];
    if (f.pageId != victim || f.loadingPageId != PageId.INVALID) return false;
    if ((claimingForPrefetch && f.dirty) || f.flushing) return false;
    if (!f.tryAcquireExclusive()) return false;
    // changed between the checks and the CAS? (a copy in flight must land before the frame is reused)
    if (f.pageId != victim || (claimingForPrefetch && f.dirty) || f.flushing) {
      f.releaseExclusive();
      return false;
    }
    if (f.dirty && deferrals > 0 && !wal.isDurable(pageLsn(f.page))) {
      // Its write-back would first wait for a log sync (a page changed moments ago, as the cold pages an
      // update-heavy workload reads, changes and evicts all are): take the next candidate, and have the log
      // synced in the background, after which this page leaves with a write only.
      deferrals--;
      deferredForLog = true;
      passedOver.incrementAndGet();
      f.releaseExclusive();
      return false;
    }
    claimed = f;
    return true;
  }

  /** The victim's write-back failed: give the frame back to the victim, forget the page we wanted. */
  private void undoClaim(Frame f, long pageId, long victim) {
    missLock.lock();
    try {
      table.remove(pageId);
      replacer.remove(pageId);
      f.loadingPageId = PageId.INVALID;
      replacer.admit(victim, p -> false); // room is there: we just removed pageId
    } finally {
      missLock.unlock();
    }
    f.releaseExclusive();
  }

  /** Reading into the frame failed: unmap the page, free the frame, let waiters retry. */
  private void abandonLoad(Frame f, long pageId) {
    missLock.lock();
    try {
      table.remove(pageId);
      replacer.remove(pageId);
      f.pageId = PageId.INVALID;
      f.dirty = false;
      freeFrames[freeCount++] = f.index;
    } finally {
      missLock.unlock();
    }
    f.releaseExclusive();
  }

  /** Writes a frame held exclusively: WAL first, then checksum, then the store. */
  private void writeBack(Frame f, long pageId) {
    wal.flushUpTo(pageLsn(f.page));
    PageChecksum.stamp(f.page);
    f.dirty = false;
    try {
      store.writePage(pageId, f.page);
    } catch (RuntimeException e) {
      f.dirty = true;
      throw e;
    }
  }

  /**
   * The prefetcher's loader: reads a page into an unpinned frame unless it is resident. Returns the load's
   * duration (a prefetch never writes a victim back, so this is the read plus a short lock wait), or -1.
   */
  private long prefetchLoad(long pageId) {
    if (closed || table.get(pageId) >= 0) return -1;
    long start = System.nanoTime();
    Frame[] f = new Frame[1];
    // Background work: LOW, through the engine's queue (and its fixed buffers), never ahead of a user's read.
    IoScheduler.runAt(IoPriority.LOW, () -> f[0] = slowPath(null, pageId, Mode.PREFETCH, null));
    return f[0] == null ? -1 : System.nanoTime() - start;
  }

  /**
   * Loads page {@code pageId} into a free frame, unpinned, unless it is resident: for warming the pool at open
   * ({@link PoolWarmer}). Never evicts and never throws for a closed pool or a full one.
   *
   * @return false when no frame is free (or the pool is closed): warming should stop; true otherwise
   * @throws RuntimeException when the read fails (the page is left unmapped, as after any failed read)
   */
  public boolean warm(long pageId) {
    return warm(pageId, null);
  }

  /**
   * As {@link #warm(long)}, with the page's bytes already read (with its neighbours, by
   * {@link PageFileStore#readPages}, checked as {@code readPage} checks them): {@code page} is copied into
   * the frame instead of read. {@code since} is {@link #pagesLeft()} taken before those bytes were read: if
   * a page has left the pool since, it may be this one, written back after the read, and the page is read
   * from the store instead.
   */
  public boolean warm(long pageId, MemorySegment page, long since) {
    return warm(pageId, new WarmCopy(page.asSlice(0, PageFileStore.PAGE_SIZE), since));
  }

  private boolean warm(long pageId, WarmCopy copy) {
    checkPageId(pageId);
    if (closed) return false;
    if (table.get(pageId) >= 0) return true;
    Frame[] f = new Frame[1];
    IoScheduler.runAt(IoPriority.LOW, () -> f[0] = slowPath(null, pageId, Mode.WARM, copy)); // background, as a prefetch
    if (f[0] != null) return true;
    return !closed && table.get(pageId) >= 0; // null: full, closed, or mapped by a reader meanwhile
  }

  /** A page's bytes read before {@link #warm(long, MemorySegment, long)} asked for its frame. */
  private record WarmCopy(MemorySegment page, long since) {}

  /**
   * How many times a page has left the pool (evicted or dropped with its file) since it opened. A
   * non-resident page's latest bytes are on disk; if this count has not moved since they were read, they
   * still are.
   */
  public long pagesLeft() {
    return evictions.get() + dropped.get();
  }

  /**
   * A hint that the caller is about to read {@code pageIds} (say, the value pages a scan's entries name,
   * which are not in key order): those not resident are loaded in the background by the prefetch threads,
   * in parallel, into frames that no dirty page has to leave. Returns at once; does nothing when prefetching
   * is off or the pool is closed.
   */
  public void prefetch(long[] pageIds) {
    if (prefetcher == null || closed) return;
    long[] missing = new long[pageIds.length];
    int n = 0;
    for (long id : pageIds) {
      checkPageId(id);
      if (table.get(id) < 0) missing[n++] = id;
    }
    if (n > 0) prefetcher.prefetch(n == missing.length ? missing : java.util.Arrays.copyOf(missing, n));
  }

  /** Pages loaded by {@link #warm} since the pool opened. */
  public long warmedPages() {
    return warmed.get();
  }

  /** The pages resident now, in ascending page id order (a snapshot; for {@link PoolWarmer}'s list). */
  public long[] residentPageIds() {
    long[] ids = new long[frames.length];
    int n = 0;
    for (Frame f : frames) {
      long id = f.pageId;
      if (id != PageId.INVALID) ids[n++] = id;
    }
    ids = java.util.Arrays.copyOf(ids, n);
    java.util.Arrays.sort(ids);
    return ids;
  }

  // ------------------------------------------------------------------ flushing and dropping

  /** Writes page {@code pageId} if it is resident and dirty (not synced; see {@link #flushAll()}). */
  public void flush(long pageId) {
    checkOpen();
    checkPageId(pageId);
    int idx = table.get(pageId);
    if (idx >= 0) flushFrame(frames[idx], pageId);
  }

  /** Writes every dirty page and syncs the files written: what a checkpoint asks of the pool. */
  public void flushAll() {
    checkOpen();
    flushAllInternal();
  }

  private void flushAllInternal() {
    // The combined path (sorted, batched, one write per contiguous run), waiting for held pages.
    DirtyPageWriter.Result r;
    try (DirtyPageWriter w = newWriter(flushOptions)) {
      r = w.write(w.dirtyPages(false), true, Long.MAX_VALUE);
    }
    for (int fileId : r.files()) store.sync(fileId);
    checkpoints.incrementAndGet();
  }

  /** A writer on this pool's frames (the flusher owns one; flushAll and reclaim make their own). */
  DirtyPageWriter newWriter(FlusherOptions options) {
    return new DirtyPageWriter(frames, table, store, wal, options);
  }

  /** Pages evicted so far, for the flusher (which flushes earlier while the pool evicts). */
  long evictions() {
    return evictions.get();
  }

  /** Dirty pages nobody holds, for the flusher. */
  long[] dirtyPagesForFlusher() {
    checkOpen();
    return DirtyPageWriter.dirtyPages(frames, true);
  }

  /** Dirty pages nobody holds among about the {@code coldest} least recently used frames, for the flusher. */
  long[] coldDirtyPagesForFlusher(int coldest) {
    checkOpen();
    return DirtyPageWriter.coldDirtyPages(frames, coldest);
  }

  /** Writes the frame if it still holds {@code pageId} and is dirty; returns whether it wrote. */
  private boolean flushFrame(Frame f, long pageId) {
    if (f.pageId != pageId || !f.acquireWhile(true, () -> f.pageId == pageId)) return false;
    while (f.flushing && f.pageId == pageId) { // a flusher's copy is in flight: let it land first
      f.releaseExclusive();
      f.awaitNoFlush();
      if (!f.acquireWhile(true, () -> f.pageId == pageId)) return false;
    }
    if (f.pageId != pageId || !f.dirty) {
      f.releaseExclusive();
      return false;
    }
    try {
      wal.flushUpTo(pageLsn(f.page));
      PageChecksum.stamp(f.page);
      f.dirty = false;
    } catch (RuntimeException e) {
      f.releaseExclusive();
      throw e;
    }
    f.downgrade(); // readers may go on during the write; writers wait
    try {
      store.writePage(pageId, f.page);
      return true;
    } catch (RuntimeException e) {
      f.dirty = true;
      throw e;
    } finally {
      f.releaseShared();
    }
  }

  /**
   * Forgets every cached page of file {@code fileId} without writing it (the file is being deleted).
   *
   * @throws OperationFailedException if one of its pages is held by a guard or being loaded; nothing is
   *     dropped then
   */
  public void dropFile(int fileId) {
    checkOpen();
    List<Frame> held = new ArrayList<>();
    missLock.lock();
    try {
      for (Frame f : frames) {
        long p = f.pageId;
        long l = f.loadingPageId;
        boolean ours = (p != PageId.INVALID && PageId.fileId(p) == fileId)
            || (l != PageId.INVALID && PageId.fileId(l) == fileId);
        if (!ours) continue;
        if (!f.tryAcquireExclusive()) {
          for (Frame h : held) h.releaseExclusive();
          throw new OperationFailedException("cannot drop file " + fileId + ": page "
              + PageId.toString(p != PageId.INVALID ? p : l) + " is in use");
        }
        held.add(f);
      }
      for (Frame f : held) {
        f.awaitNoFlush(); // the flusher clears it without the latch
        table.remove(f.pageId);
        replacer.remove(f.pageId);
        dropped.incrementAndGet();
        if ((boolean) PREFETCHED.compareAndSet(f, true, false)) prefetchMisses.incrementAndGet();
        f.pageId = PageId.INVALID;
        f.dirty = false;
        freeFrames[freeCount++] = f.index;
        f.releaseExclusive();
      }
    } finally {
      missLock.unlock();
    }
    if (prefetcher != null) prefetcher.forgetFile(fileId);
  }

  // ------------------------------------------------------------------ life cycle and statistics

  /**
   * Stops prefetching, writes every dirty page (waiting for write guards still open on them), syncs, and
   * frees the frames. Closing twice is harmless; any other use afterwards throws {@link ClosedException}. A
   * guard still open when close returns must not be used: its frame memory is gone, and FFM's bounds and
   * liveness checks make any access throw {@link IllegalStateException} (never a crash).
   */
  @Override
  public void close() {
    missLock.lock();
    try {
      if (closed) return;
      closed = true;
    } finally {
      missLock.unlock();
    }
    try {
      if (flusher != null) flusher.close();
      if (prefetcher != null) prefetcher.close();
      flushAllInternal();
    } finally {
      if (reclaimRegistration != null) reclaimRegistration.close();
      region.close();
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** A consistent-enough snapshot: counters are read one after another while the pool runs. */
  public BufferPoolStats stats() {
    checkOpen();
    int used = 0;
    int dirty = 0;
    int pinned = 0;
    for (Frame f : frames) {
      if (f.pageId != PageId.INVALID) used++;
      if (f.dirty) dirty++;
      if (f.isHeld()) pinned++;
    }
    Replacer.ReplacerSizes s;
    missLock.lock();
    try {
      drainHits();
      s = replacer.sizes();
    } finally {
      missLock.unlock();
    }
    long h = hitCount.sum() + readerSlots.hits();
    long m = missCount.get();
    return new BufferPoolStats(frames.length, used, dirty, pinned, h, m, h + m == 0 ? 0.0 : (double) h / (h + m),
        evictions.get(), prefetches.get(), prefetchHits.get(), prefetchMisses.get(), checkpoints.get(),
        s.t1(), s.t2(), s.b1(), s.b2(), s.scan());
  }

  /** Hits taken by biased read guards so far (part of {@link #stats()}' hit count; for tests). */
  long biasedHits() {
    return readerSlots.hits();
  }

  /** The frames' memory, for registering with an I/O engine. Valid until {@link #close()}. */
  public MemorySegment frameRegion() {
    return region.segment();
  }

  /** Number of frames. */
  public int capacity() {
    return frames.length;
  }

  /** The pool's background flusher, if {@link BufferPoolOptions#backgroundFlush()} started one. */
  public java.util.Optional<DirtyPageFlusher> flusher() {
    return java.util.Optional.ofNullable(flusher);
  }

  // ------------------------------------------------------------------ memory budget (FrameReclaimer)

  boolean missLockHeldByCurrentThread() {
    return missLock.isHeldByCurrentThread();
  }

  /** Emergency reclaim: writes the dirty pages nobody holds (combined path, WAL hook), without syncing. */
  void flushDirtyForReclaim() {
    if (closed) return;
    try (DirtyPageWriter w = newWriter(flushOptions)) {
      w.write(w.dirtyPages(true), false, Long.MAX_VALUE);
    }
  }

  /**
   * Takes up to {@code max} frames out of use for decommitting (never leaving fewer than
   * {@link FrameReclaimer#minFrames} committed): committed free frames first, then clean
   * resident frames nobody holds (evicted: unmapped, removed from the policy). Their indexes go to {@code out};
   * they are on no list until {@link #reattachFrames}.
   */
  int detachCleanFrames(int[] out, int max) {
    missLock.lock();
    try {
      if (closed) return 0;
      max = Math.min(max, frames.length - memory.count() - FrameReclaimer.minFrames(frames.length));
      drainHits();
      int n = 0;
      while (n < max && freeCount > 0) out[n++] = freeFrames[--freeCount];
      for (int scanned = 0; scanned < frames.length && n < max; scanned++) {
        Frame f = frames[sweepHand];
        sweepHand = (sweepHand + 1) % frames.length;
        long p = f.pageId;
        if (p == PageId.INVALID || f.dirty || f.flushing || f.loadingPageId != PageId.INVALID) continue;
        if (!f.tryAcquireExclusive()) continue;
        if (f.pageId != p || f.dirty || f.flushing || f.loadingPageId != PageId.INVALID) {
          f.releaseExclusive();
          continue;
        }
        table.remove(p);
        replacer.remove(p);
        evictions.incrementAndGet();
        if ((boolean) PREFETCHED.compareAndSet(f, true, false)) prefetchMisses.incrementAndGet();
        f.pageId = PageId.INVALID;
        f.releaseExclusive(); // version bump: optimistic readers of p fail
        out[n++] = f.index;
      }
      return n;
    } finally {
      missLock.unlock();
    }
  }

  /** Puts detached frames back: decommitted ones ({@code decommitted[i]}) on their stack, others on the free list. */
  void reattachFrames(int[] idx, boolean[] decommitted, int n) {
    missLock.lock();
    try {
      for (int i = 0; i < n; i++) {
        if (decommitted[i]) memory.push(idx[i]); else freeFrames[freeCount++] = idx[i];
      }
    } finally {
      missLock.unlock();
    }
  }

  /**
   * Before a miss, when no committed frame is free but the policy has room: recommits one decommitted frame
   * (a budget reservation, made without the miss lock since it may run the reclaimers) and frees it. If the
   * budget says no, the miss evicts past the policy instead ({@link #sweepForVictim}).
   */
  private void recommitOneIfShort() {
    int idx;
    missLock.lock();
    try {
      if (freeCount > 0 || memory.count() == 0 || replacer.size() >= replacer.capacity()) return;
      idx = memory.pop();
    } finally {
      missLock.unlock();
    }
    boolean ok = memory.recommit(idx);
    missLock.lock();
    try {
      if (ok) freeFrames[freeCount++] = idx; else memory.push(idx);
    } finally {
      missLock.unlock();
    }
  }

  /** A resident frame nobody holds, claimed exclusively (clean ones first); caller holds the miss lock. */
  private Frame sweepForVictim(boolean cleanOnly) {
    for (int pass = 0; pass < 2; pass++) {
      boolean wantClean = pass == 0 || cleanOnly;
      for (int scanned = 0; scanned < frames.length; scanned++) {
        Frame f = frames[sweepHand];
        sweepHand = (sweepHand + 1) % frames.length;
        long p = f.pageId;
        if (p == PageId.INVALID || f.loadingPageId != PageId.INVALID || f.flushing || (wantClean && f.dirty)) continue;
        if (!f.tryAcquireExclusive()) continue;
        if (f.pageId == p && f.loadingPageId == PageId.INVALID && !f.flushing && !(wantClean && f.dirty)) return f;
        f.releaseExclusive();
      }
      if (cleanOnly) break;
    }
    return null;
  }

  /** The prefetcher's current depth (pages ahead), or 0 when prefetching is off. */
  public int prefetchDepth() {
    return prefetcher == null ? 0 : prefetcher.depth();
  }

  /** How many dirty victims misses passed over because their log was not durable yet (for tests). */
  long victimsPassedOverForLog() {
    return passedOver.get();
  }

  /** The page's LSN (header bytes 8..15, little-endian): what the write-ahead hook is called with. */
  static long pageLsn(MemorySegment page) {
    return page.get(LE_LONG, PageLayout.LSN_OFFSET);
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("buffer pool");
  }

  private static void checkPageId(long pageId) {
    if (pageId <= 0 || PageId.fileId(pageId) == 0) {
      throw new IllegalArgumentException("not a page id: " + pageId);
    }
  }
}
