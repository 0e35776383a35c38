/**
 * The disk manager: the data directory ({@code base/}, {@code wal/}, {@code archive/}, {@code temp/},
 * {@code control}), one page file per table or index, page allocation with free-page reuse, direct I/O,
 * read-ahead, and the control file. It moves whole 4 KiB pages between files and memory and does not look
 * inside them; page formats live one layer up, in {@code org.rustydb.page}.
 */
package org.rustydb.disk;
