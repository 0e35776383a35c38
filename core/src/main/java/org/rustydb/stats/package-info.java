/**
 * Immutable statistics snapshots (records) for the buffer pool, memory, I/O and WAL. Depends on nothing else
 * in RustyDB, so every layer can report through it.
 */
package org.rustydb.stats;
