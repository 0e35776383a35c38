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

  /**
   * Visits the values of up to {@code count} entries in key order, starting at the first key
   * {@code >= startKey}. Values only: YCSB's scan returns the records' fields, not their keys, so no store
   * builds key strings it would throw away (H2's keys are strings already; the others' would cost a decode
   * and an allocation per entry).
   */
  void scan(String startKey, int count, ValueVisitor visitor);

  /** Flushes what the durability class requires and releases everything. */
  @Override
  void close();

  /** Receives the value of one entry of a scan. */
  @FunctionalInterface
  interface ValueVisitor {
    void accept(byte[] value);
  }
}
