/**
 * The 4 KiB page formats: the slotted page (header, slot array, tuple area), its CRC32C checksum and LSN.
 * Pages are flyweight views over {@code MemorySegment}s (buffer-pool frames or I/O buffers): no copy and no
 * allocation per access. Not here: where pages live (the disk manager) or when they are cached (the pool).
 */
package org.rustydb.page;
