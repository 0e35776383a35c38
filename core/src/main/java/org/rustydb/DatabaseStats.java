package org.rustydb;

import org.rustydb.stats.BufferPoolStats;
import org.rustydb.stats.IoStats;
import org.rustydb.stats.MemoryStats;
import org.rustydb.stats.WalStats;

/**
 * A snapshot of a database's statistics, from {@link Database#stats()}: immutable, each part taken from its
 * subsystem one after the other (so the parts are each consistent, not consistent with one another).
 * Counters count since the database opened.
 *
 * @param bufferPool the buffer pool: frames used, dirty and pinned, hits, misses, evictions, prefetching
 * @param io page-file I/O of the engine underneath ({@code ioEngine}): operations, bytes, latency percentiles
 * @param ioEngine the I/O engine's name ({@code uring} or {@code filechannel})
 * @param wal the write-ahead log: records, bytes, fsyncs, commits per fsync, segments, current and durable LSN
 * @param memory the off-heap memory budget and its allocators (the buffer pool's frames come from it;
 *     {@link DatabaseOptions#memoryBudgetBytes()})
 * @param checkpoints checkpoints taken since open, the one at open included
 */
public record DatabaseStats(BufferPoolStats bufferPool, IoStats io, String ioEngine, WalStats wal, MemoryStats memory,
    long checkpoints) {}
