package org.rustydb.buffer;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;

/**
 * How a {@link BufferPool} is built.
 *
 * @param frames number of 4 KiB frames (pool size = frames * 4 KiB)
 * @param replacer makes the replacement policy for a given capacity (frame count)
 * @param walFlushHook called with a dirty page's LSN before the page is written (write-ahead rule)
 * @param prefetch whether the adaptive prefetcher runs
 * @param prefetchThreads threads of the pool's own prefetch executor; each reads one page at a time, so this
 *     is the prefetcher's I/O depth
 * @param prefetchQueue bound of that executor's queue; prefetches beyond it are dropped (and counted)
 * @param prefetchExecutor runs prefetch reads instead of the pool's own executor when not null (tests pass
 *     {@code Runnable::run} to prefetch synchronously and deterministically); the pool does not shut it down
 * @param hitStripes stripes of the lossy hit buffer (see {@code HitBuffer}); 0 = 4 x available processors
 * @param hitWindow a hit is handed to the policy only if at least this many pages were admitted since the
 *     page's admission or last recorded hit (InnoDB's rule for not re-making young a page that is still
 *     young): recency only matters relative to eviction pressure, so a pool that evicts nothing records
 *     (almost) nothing, and quick re-references count once, as LRU-K's and 2Q's correlated references do;
 *     0 hands every hit to the policy, exactly as the cache simulator replays a trace; -1 = frames / 8
 * @param memoryManager when not null, the frame region comes from {@code allocateFrameRegion} (freed at close)
 *     and the pool registers with its budget as a reclaimer that gives frames back under pressure
 *     (see {@code FrameReclaimer}); null = the pool allocates its own region, outside any budget
 * @param flusher write combining for every flush path and, with {@code backgroundFlush}, the flusher's rate
 * @param backgroundFlush whether the pool runs a {@link DirtyPageFlusher} thread (started with the pool,
 *     stopped by its close)
 */
public record BufferPoolOptions(
    int frames,
    IntFunction<Replacer> replacer,
    WalFlushHook walFlushHook,
    boolean prefetch,
    int prefetchThreads,
    int prefetchQueue,
    Executor prefetchExecutor,
    int hitStripes,
    int hitWindow,
    org.rustydb.memory.MemoryManager memoryManager,
    FlusherOptions flusher,
    boolean backgroundFlush) {

  public BufferPoolOptions {
    if (frames <= 0) throw new IllegalArgumentException("frames must be positive: " + frames);
    Objects.requireNonNull(replacer, "replacer");
    Objects.requireNonNull(walFlushHook, "walFlushHook");
    if (prefetchThreads <= 0) throw new IllegalArgumentException("prefetchThreads must be positive: " + prefetchThreads);
    if (prefetchQueue <= 0) throw new IllegalArgumentException("prefetchQueue must be positive: " + prefetchQueue);
    if (hitStripes < 0) throw new IllegalArgumentException("hitStripes must be >= 0: " + hitStripes);
    if (hitWindow < -1) throw new IllegalArgumentException("hitWindow must be >= -1: " + hitWindow);
    Objects.requireNonNull(flusher, "flusher");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: 16384 frames (64 MiB), no memory manager, no background flusher, the default replacement policy ({@link ReplacerRegistry#DEFAULT}, dueling
   *  LIRS: see docs/benchmarks.md for how it compares with ARC and OPT), prefetching on with 4 threads (they
   *  mostly wait for reads: more threads, deeper I/O) and a queue of 256. */
  public static final class Builder {
    private int frames = 16384;
    private IntFunction<Replacer> replacer = capacity -> ReplacerRegistry.create(ReplacerRegistry.DEFAULT, capacity);
    private WalFlushHook walFlushHook = WalFlushHook.NONE;
    private boolean prefetch = true;
    private int prefetchThreads = 4;
    private int prefetchQueue = 256;
    private Executor prefetchExecutor;
    private int hitStripes;
    private int hitWindow = -1;
    private org.rustydb.memory.MemoryManager memoryManager;
    private FlusherOptions flusher = FlusherOptions.DEFAULTS;
    private boolean backgroundFlush;

    public Builder frames(int v) { frames = v; return this; }
    public Builder replacer(IntFunction<Replacer> v) { replacer = v; return this; }
    public Builder walFlushHook(WalFlushHook v) { walFlushHook = v; return this; }
    public Builder prefetch(boolean v) { prefetch = v; return this; }
    public Builder prefetchThreads(int v) { prefetchThreads = v; return this; }
    public Builder prefetchQueue(int v) { prefetchQueue = v; return this; }
    public Builder prefetchExecutor(Executor v) { prefetchExecutor = v; return this; }
    public Builder hitStripes(int v) { hitStripes = v; return this; }
    public Builder hitWindow(int v) { hitWindow = v; return this; }
    public Builder memoryManager(org.rustydb.memory.MemoryManager v) { memoryManager = v; return this; }
    public Builder flusher(FlusherOptions v) { flusher = v; return this; }
    public Builder backgroundFlush(boolean v) { backgroundFlush = v; return this; }

    public BufferPoolOptions build() {
      return new BufferPoolOptions(frames, replacer, walFlushHook, prefetch, prefetchThreads, prefetchQueue,
          prefetchExecutor, hitStripes, hitWindow, memoryManager, flusher, backgroundFlush);
    }
  }
}
