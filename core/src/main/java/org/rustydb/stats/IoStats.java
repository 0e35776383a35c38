package org.rustydb.stats;

/**
 * I/O counters and latencies, the spec's "I/O Performance Metrics" plus the 99.9th percentile. A snapshot:
 * counters are totals since the engine opened; latencies are from submission to completion, in
 * microseconds.
 *
 * @param reads read operations completed
 * @param writes write operations completed (a vectored multi-page write counts once)
 * @param bytesRead bytes read
 * @param bytesWritten bytes written
 * @param readLatencyP50Us median read latency
 * @param readLatencyP99Us 99th percentile read latency
 * @param readLatencyP999Us 99.9th percentile read latency
 * @param writeLatencyP50Us median write latency
 * @param writeLatencyP99Us 99th percentile write latency
 * @param writeLatencyP999Us 99.9th percentile write latency
 * @param sequentialReads reads that started where the previous read of the same file ended
 * @param randomReads all other reads
 * @param prefetchHits prefetched pages that were used (reported by the prefetcher)
 * @param prefetchMisses prefetched pages evicted unused (reported by the prefetcher)
 */
public record IoStats(
    long reads,
    long writes,
    long bytesRead,
    long bytesWritten,
    long readLatencyP50Us,
    long readLatencyP99Us,
    long readLatencyP999Us,
    long writeLatencyP50Us,
    long writeLatencyP99Us,
    long writeLatencyP999Us,
    long sequentialReads,
    long randomReads,
    long prefetchHits,
    long prefetchMisses) {}
