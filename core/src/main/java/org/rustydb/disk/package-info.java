/**
 * The disk manager: the data directory ({@code base/}, {@code wal/}, {@code archive/}, {@code temp/},
 * {@code control}), one page file per table or index, page allocation with free-page reuse, direct I/O,
 * read-ahead, and the control file. It moves whole 4 KiB pages between files and memory and does not look
 * inside them (except for the checksum every page carries, {@link org.rustydb.disk.PageCrc}); page
 * formats live one layer up, in {@code org.rustydb.page}.
 *
 * <ul>
 *   <li>{@link org.rustydb.disk.DataDirectory}: layout, permissions, the directory lock, safe file names.</li>
 *   <li>{@link org.rustydb.disk.DiskManager} ({@link org.rustydb.disk.PageFileStore}): page files, their
 *       header page ({@link org.rustydb.disk.PageFileHeaderLayout}) and free list
 *       ({@link org.rustydb.disk.FreePageLayout}), options in {@link org.rustydb.disk.DiskOptions}, counters in
 *       {@link org.rustydb.disk.DiskStats}. Raw I/O only through the package-private {@code PageFileChannel}: an
 *       {@link org.rustydb.io.IoEngine} when the manager was opened with one, else a {@code FileChannel}.</li>
 *   <li>{@link org.rustydb.disk.ControlFile} ({@link org.rustydb.disk.ControlFileLayout}): where recovery
 *       starts, written atomically with a second copy.</li>
 * </ul>
 */
package org.rustydb.disk;
