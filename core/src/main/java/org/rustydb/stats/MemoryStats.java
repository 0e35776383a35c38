package org.rustydb.stats;

/**
 * A snapshot of the off-heap memory managers (the spec's {@code MemoryStats}); immutable. Byte counts are
 * off-heap bytes.
 *
 * @param slabAllocated bytes in slab blocks handed out, at their size class
 * @param slabFree bytes of slab regions not handed out (in magazines, in slabs, not yet carved)
 * @param slabFastPathHits slab allocations served from the calling thread's magazines
 * @param arenaAllocated bytes of chunk memory held by transaction arenas, in use and pooled
 * @param arenaActiveArenas transaction arenas acquired and not yet closed
 * @param largeObjectAllocated bytes in live large objects, page-rounded
 * @param largeObjectFreeRegions free regions in the large-object allocator's mappings
 * @param largeObjectFragmentation {@code 1 - largest free region / free bytes} of the large-object allocator
 * @param totalAllocated bytes reserved from the memory budget by every consumer (the allocators above and
 *     those that reserve directly, such as memtables)
 * @param totalFree budget limit minus {@code totalAllocated}
 * @param memoryPressure {@code totalAllocated / limit}, 0.0 to 1.0
 */
public record MemoryStats(
    long slabAllocated,
    long slabFree,
    long slabFastPathHits,
    long arenaAllocated,
    long arenaActiveArenas,
    long largeObjectAllocated,
    long largeObjectFreeRegions,
    double largeObjectFragmentation,
    long totalAllocated,
    long totalFree,
    double memoryPressure) {}
