package org.rustydb.memory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.rustydb.ClosedException;
import org.rustydb.stats.MemoryStats;

/**
 * The engine's off-heap memory: one {@link MemoryBudget} and the allocators that reserve from it — the
 * {@link SlabAllocator} for small hot objects, the {@link ArenaPool} of {@link TransactionArena}s for
 * transactions' working memory, the {@link LargeObjectAllocator} for the frame region and sort/hash
 * buffers — plus the {@link PressureForecaster} that watches the budget. One {@link #close()} stops the
 * sampling thread and frees everything.
 *
 * <h2>Who calls what</h2>
 * <ul>
 *   <li>Buffer pool: {@link #allocateFrameRegion(long, long)} once at open (4096-aligned, a mapping of its
 *       own, never refused), {@link #freeFrameRegion} at close; it registers itself with
 *       {@code budget().addReclaimer(...)}, and on {@link ReclaimUrgency#GENTLE}/{@link ReclaimUrgency#AGGRESSIVE}
 *       evicts clean frames and hands their memory back with {@link #decommitFrames} (returning the bytes
 *       released), also flushing dirty ones first on {@link ReclaimUrgency#EMERGENCY}; before it reuses a
 *       decommitted frame it calls {@link #recommitFrames}, which fails when the budget cannot cover it.</li>
 *   <li>Transactions' working memory: {@code arenas().acquire(profile)}, {@code arena.close()} when the
 *       transaction commits or aborts. Today a B+tree structure change (a system transaction) takes one
 *       for its page snapshots ({@code TransactionManager.acquireArena}).</li>
 *   <li>Small hot objects: {@code slab().allocate(size)} / {@code free}. Today transactions' undo payloads
 *       (staged by {@code TransactionManager.logUpdate}, freed at commit or abort); later lock entries and
 *       memtable entries.</li>
 *   <li>An I/O engine that pins the frame region (io_uring registered buffers):
 *       {@link #pinFrameRegion}, after which frames are never decommitted.</li>
 *   <li>Sort and hash buffers, large BLOBs: {@link #allocateLarge(long)} / {@link #freeLarge}.</li>
 *   <li>Anything else off-heap (memtables' own buffers): {@code budget().reserve/release}.</li>
 * </ul>
 *
 * <h2>Acting on forecasts</h2>
 * Each sample (once per {@link MemoryOptions#forecastInterval()} on the daemon thread
 * {@value #SAMPLER_THREAD}, or by {@link #sample(long)}) records the budget's usage and acts on the
 * forecast: {@link RecommendedAction#GENTLE_EVICTION} asks the reclaimers for {@value #GENTLE_RELEASE} of
 * the budget at {@link ReclaimUrgency#GENTLE}; {@link RecommendedAction#AGGRESSIVE_EVICTION} for
 * {@value #AGGRESSIVE_RELEASE} at {@link ReclaimUrgency#AGGRESSIVE};
 * {@link RecommendedAction#EMERGENCY_CLEANUP} for {@value #EMERGENCY_RELEASE} at
 * {@link ReclaimUrgency#EMERGENCY} and makes the large-object allocator refuse new allocations until a
 * forecast recommends less than an emergency.
 */
public final class MemoryManager implements AutoCloseable {

  public static final String SAMPLER_THREAD = "rustydb-memory-forecaster";
  /** Share of the budget asked back on each forecast action. */
  public static final double GENTLE_RELEASE = 0.05;
  public static final double AGGRESSIVE_RELEASE = 0.15;
  public static final double EMERGENCY_RELEASE = 0.25;

  private static final System.Logger LOG = System.getLogger(MemoryManager.class.getName());

  private final MemoryOptions options;
  private final MemoryBudget budget;
  private final SlabAllocator slab;
  private final ArenaPool arenas;
  private final LargeObjectAllocator large;
  private final PressureForecaster forecaster;
  private final ScheduledExecutorService sampler;
  private final AtomicReference<Forecast> lastForecast = new AtomicReference<>();
  private volatile boolean closed;

  private MemoryManager(MemoryOptions options) {
    this.options = options;
    this.budget = new MemoryBudget(options.budgetBytes());
    this.slab = new SlabAllocator(budget, options.slabRegionBytes(), options.slabBytes());
    this.arenas = new ArenaPool(budget, options.maxIdleArenasPerProfile());
    this.large = new LargeObjectAllocator(budget, options.hugePages(), options.useNativeMapping());
    Duration interval = options.forecastInterval();
    this.forecaster = new PressureForecaster(interval.isZero() ? Duration.ofSeconds(1) : interval);
    // The engine's own caches give memory back first: idle arena chunks, then wholly free mappings.
    budget.addReclaimer(arenas);
    budget.addReclaimer(large);
    if (interval.isZero()) {
      sampler = null;
    } else {
      sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, SAMPLER_THREAD);
        t.setDaemon(true);
        return t;
      });
      long nanos = interval.toNanos();
      sampler.scheduleAtFixedRate(this::sampleFromTimer, nanos, nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Creates the budget and allocators and starts the sampling thread (unless the interval is zero). */
  public static MemoryManager open(MemoryOptions options) {
    if (options == null) throw new IllegalArgumentException("options are required");
    return new MemoryManager(options);
  }

  public MemoryOptions options() {
    return options;
  }

  public MemoryBudget budget() {
    return budget;
  }

  public SlabAllocator slab() {
    return slab;
  }

  public ArenaPool arenas() {
    return arenas;
  }

  public LargeObjectAllocator largeObjects() {
    return large;
  }

  public PressureForecaster forecaster() {
    return forecaster;
  }

  /**
   * The buffer pool's frame region: {@code bytes} (frames times 4096) aligned to {@code alignment}
   * (4096 for O_DIRECT), from the large-object allocator (huge pages when available) and the budget.
   * Never refused for pressure: the pool is the memory that eviction frees.
   */
  public MemorySegment allocateFrameRegion(long bytes, long alignment) {
    checkOpen();
    return large.allocateExclusive(bytes, alignment, false);
  }

  /**
   * Hands clean frames back: the pages of {@code [offset, offset + length)} of the frame region go back to
   * the OS and their bytes to the budget (the pool's reclaimer returns this count). Page-aligned.
   */
  public long decommitFrames(MemorySegment region, long offset, long length) {
    checkOpen();
    return large.decommit(region, offset, length);
  }

  /**
   * The frame region's pages are pinned by {@code by} (an I/O engine registered them as fixed buffers):
   * {@link #decommitFrames} refuses from now on, so the pool keeps its frames (its reclaimer stops asking).
   */
  public void pinFrameRegion(MemorySegment region, String by) {
    checkOpen();
    large.pin(region, by);
  }

  /** Reserves decommitted frames again before the pool reuses them; fails when the budget cannot. */
  public long recommitFrames(MemorySegment region, long offset, long length) {
    checkOpen();
    return large.recommit(region, offset, length);
  }

  public void freeFrameRegion(MemorySegment region) {
    checkOpen();
    large.free(region);
  }

  /** A sort or hash buffer, or a large BLOB: page-aligned; refused during a memory-pressure emergency. */
  public MemorySegment allocateLarge(long bytes) {
    checkOpen();
    return large.allocate(bytes, LargeObjectAllocator.PAGE, true);
  }

  public void freeLarge(MemorySegment block) {
    checkOpen();
    large.free(block);
  }

  /** Samples the budget's usage at {@code nowMillis}, acts on the forecast and returns it. */
  public Optional<Forecast> sample(long nowMillis) {
    checkOpen();
    Optional<Forecast> f = forecaster.sample(nowMillis, budget.pressure() * 100.0);
    f.ifPresent(this::act);
    return f;
  }

  /** The latest forecast acted on, if any. */
  public Optional<Forecast> lastForecast() {
    return Optional.ofNullable(lastForecast.get());
  }

  /** Acts on {@code forecast} as the class comment says; returns the bytes the reclaimers released. */
  long act(Forecast forecast) {
    lastForecast.set(forecast);
    long limit = budget.limit();
    return switch (forecast.recommendedAction()) {
      case MONITOR -> {
        large.stopRefusing();
        yield 0;
      }
      case GENTLE_EVICTION -> {
        large.stopRefusing();
        yield budget.reclaim((long) (limit * GENTLE_RELEASE), ReclaimUrgency.GENTLE);
      }
      case AGGRESSIVE_EVICTION -> {
        large.stopRefusing();
        yield budget.reclaim((long) (limit * AGGRESSIVE_RELEASE), ReclaimUrgency.AGGRESSIVE);
      }
      case EMERGENCY_CLEANUP -> {
        large.refuseNewAllocations(String.format(java.util.Locale.ROOT,
            "memory pressure emergency: %.1f%% of the %s budget in use (critical at %.0f%%)",
            forecast.currentUsage(), Sizes.format(limit), PressureForecaster.CRITICAL_PERCENT));
        yield budget.reclaim((long) (limit * EMERGENCY_RELEASE), ReclaimUrgency.EMERGENCY);
      }
    };
  }

  private void sampleFromTimer() {
    try {
      // A monotonic clock: the forecaster needs samples that move forward in time.
      if (!closed) sample(System.nanoTime() / 1_000_000);
    } catch (RuntimeException e) {
      // Keep sampling: one failed reclaimer must not stop the forecaster.
      LOG.log(System.Logger.Level.WARNING, "memory pressure sample failed", e);
    }
  }

  /** An immutable snapshot of every allocator and the budget. */
  public MemoryStats stats() {
    long used = budget.used();
    return new MemoryStats(
        slab.allocatedBytes(),
        slab.freeBytes(),
        slab.fastPathHits(),
        arenas.heldBytes(),
        arenas.activeArenas(),
        large.allocatedBytes(),
        large.freeRegionCount(),
        large.fragmentation(),
        used,
        budget.limit() - used,
        (double) used / budget.limit());
  }

  /** Whether the sampling thread runs (false after close or with a zero interval). */
  public boolean samplerRunning() {
    return sampler != null && !sampler.isTerminated();
  }

  /**
   * Stops the sampling thread and frees all memory: slab blocks and large objects become unusable at once;
   * arenas still in use free their chunks when they close. Idempotent.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (sampler != null) {
      sampler.shutdownNow();
      try {
        if (!sampler.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.log(System.Logger.Level.WARNING, "memory sampler thread did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    arenas.close();
    slab.close();
    large.close();
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("memory manager");
  }
}
