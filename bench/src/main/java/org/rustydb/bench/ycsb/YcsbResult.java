package org.rustydb.bench.ycsb;

/**
 * One engine on one workload: the run phase's throughput and latency percentiles (all operations together),
 * plus the load phase's throughput.
 */
public record YcsbResult(String engine, String workload, int threads, double opsPerSec, long p50Micros,
    long p99Micros, double loadOpsPerSec) {}
