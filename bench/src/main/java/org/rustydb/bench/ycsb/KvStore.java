package org.rustydb.bench.ycsb;

/**
 * The ordered key-value operations a YCSB binding needs from an engine: one value per key (the record's
 * fields encoded by {@link RecordCodec}), keys ordered as their UTF-8 bytes compared unsigned (YCSB keys are
 * ASCII). Implementations are shared by all client threads and must be thread-safe. Failures are thrown as
 * unchecked exceptions; {@link KvBinding} turns them into {@code Status.ERROR}.
 */
public interface KvStore extends AutoCloseable {

  /** The value stored under {@code key}, or null. */
  byte[] get(String key);

  /** Stores {@code value} under {@code key}, replacing any previous value. */
  void put(String key, byte[] value);

  /** Removes {@code key}; returns whether it was present. */
  boolean delete(String key);

  /** Visits up to {@code count} entries in key order starting at the first key {@code >= startKey}. */
  void scan(String startKey, int count, EntryVisitor visitor);

  /** Flushes what the durability class requires and releases everything. */
  @Override
  void close();

  /** Receives one entry of a scan. */
  @FunctionalInterface
  interface EntryVisitor {
    void accept(String key, byte[] value);
  }
}
