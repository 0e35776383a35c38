/**
 * The I/O engine: asynchronous page reads, writes and syncs against open files. {@code IoEngine} is the SPI;
 * implementations are io_uring through the FFM API on Linux and positional {@code FileChannel} I/O elsewhere,
 * with priority scheduling and write batching. The bottom of the layer chain: it knows files, offsets and
 * buffers, not pages, tables or logs.
 */
package org.rustydb.io;
