/**
 * YCSB side by side: {@code site.ycsb.DB} bindings for RustyDB's peers (RocksDB, Berkeley DB JE, H2 MVStore,
 * LMDB, SQLite) over one shared {@link org.rustydb.bench.ycsb.KvStore} contract, and the runner behind
 * {@code rustydb bench ycsb} that drives YCSB's own {@code CoreWorkload} against each engine in a child JVM.
 */
package org.rustydb.bench.ycsb;
