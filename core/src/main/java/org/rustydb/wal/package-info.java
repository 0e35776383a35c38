/**
 * The write-ahead log: segments, records, group commit, archiving. Beside the page chain: the buffer pool
 * asks it how far the log is durable before writing a dirty page.
 */
package org.rustydb.wal;
