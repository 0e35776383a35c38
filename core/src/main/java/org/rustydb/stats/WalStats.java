package org.rustydb.stats;

/**
 * A snapshot of the write-ahead log's counters since it was opened.
 *
 * @param recordsAppended records appended, segment-switch records included
 * @param bytesAppended bytes of those records
 * @param fsyncs fdatasync calls on segment files by the log writer (segment preparation not counted)
 * @param commits commit records appended through {@code commit()}, SYNC and NO_SYNC
 * @param syncCommits of those, SYNC commits: each returned only once durable
 * @param commitsPerFsync SYNC commits per fsync: the average group-commit size
 * @param segmentsCreated segment files created (zero-filled) by this writer
 * @param segmentsRecycled old segments renamed into future ones instead of creating new files
 * @param segmentsRemoved old segments deleted (more were ready than needed)
 * @param segmentsArchived segments copied gzip-compressed into {@code archive/}
 * @param archiveFailures failed archive attempts (each retried with backoff)
 * @param currentLsn where the next record will go: the end of the appended log
 * @param durableLsn every record that starts before this LSN is on stable storage
 */
public record WalStats(
    long recordsAppended,
    long bytesAppended,
    long fsyncs,
    long commits,
    long syncCommits,
    double commitsPerFsync,
    long segmentsCreated,
    long segmentsRecycled,
    long segmentsRemoved,
    long segmentsArchived,
    long archiveFailures,
    long currentLsn,
    long durableLsn) {}
