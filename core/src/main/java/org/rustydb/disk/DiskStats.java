package org.rustydb.disk;

/**
 * A snapshot of a disk manager's counters since it opened.
 *
 * @param directIo whether its files use O_DIRECT
 * @param pagesRead pages read from files (read-ahead included, cache hits not)
 * @param pagesWritten pages written (header and free pages included)
 * @param syncs fsync calls
 * @param prefetchIssued pages read ahead into the read-ahead cache
 * @param prefetchHits reads served from the read-ahead cache
 * @param prefetchWasted read-ahead pages dropped unread (evicted, overwritten, freed or their file dropped)
 * @param mappedReads of {@code pagesRead}, those copied from a memory mapping of their file rather than read
 *     with a system call ({@link DiskOptions#mappedReads()}); they never reach the I/O engine
 */
public record DiskStats(
    boolean directIo,
    long pagesRead,
    long pagesWritten,
    long syncs,
    long prefetchIssued,
    long prefetchHits,
    long prefetchWasted,
    long mappedReads) {}
