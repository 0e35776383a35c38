package org.rustydb.stats;

/**
 * A snapshot of the background dirty page flusher (spec "Dirty Page Flushing"). Counters count since it started.
 *
 * @param pagesWritten dirty pages written
 * @param batches batches written (pages of one file within the combine distance, up to the batch size)
 * @param writeOps write calls issued: one per contiguous run of pages
 * @param writesSaved write operations saved by combining: pagesWritten - writeOps
 * @param rounds rounds in which the flusher found enough dirty pages to work
 * @param currentRateMiBps the rate the flusher allows itself now (adaptive)
 * @param targetMiBps the bandwidth it aims for
 */
public record FlusherStats(
    long pagesWritten, long batches, long writeOps, long writesSaved, long rounds, double currentRateMiBps,
    double targetMiBps) {}
