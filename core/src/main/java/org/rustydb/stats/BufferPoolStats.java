package org.rustydb.stats;

/**
 * A snapshot of the buffer pool (spec "Monitoring & Diagnostics": every field it lists, plus the prefetch
 * outcome). Counters count since the pool opened.
 *
 * @param totalFrames frames in the pool
 * @param usedFrames frames holding a page
 * @param dirtyFrames frames changed since last written
 * @param pinnedFrames frames held by a guard (or being loaded or evicted) at the moment of the snapshot
 * @param hitCount references that found their page resident
 * @param missCount references that had to read their page (or, for new pages, to place it)
 * @param hitRate hitCount / (hitCount + missCount), 0 when there were no references
 * @param evictions pages that left a frame to make room for another
 * @param prefetches pages read by the prefetcher
 * @param prefetchHits prefetched pages that were referenced before being evicted
 * @param prefetchMisses prefetched pages evicted (or dropped) without being referenced
 * @param checkpoints completed {@code flushAll()} calls (what a checkpoint asks of the pool)
 * @param arcT1Size the policy's T1 (recency) list, or its resident set if it has no lists
 * @param arcT2Size the policy's T2 (frequency) list
 * @param arcB1Size the policy's B1 ghost list
 * @param arcB2Size the policy's B2 ghost list
 * @param arcScanListSize the policy's isolated scan list
 */
public record BufferPoolStats(
    int totalFrames,
    int usedFrames,
    int dirtyFrames,
    int pinnedFrames,
    long hitCount,
    long missCount,
    double hitRate,
    long evictions,
    long prefetches,
    long prefetchHits,
    long prefetchMisses,
    long checkpoints,
    int arcT1Size,
    int arcT2Size,
    int arcB1Size,
    int arcB2Size,
    int arcScanListSize) {}
