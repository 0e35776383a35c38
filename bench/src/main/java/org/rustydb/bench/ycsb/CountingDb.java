package org.rustydb.bench.ycsb;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * Wraps a binding and counts every operation that did not return {@code OK}. YCSB's CoreWorkload drops the
 * status of reads, scans and updates, so without this a binding that fails every call would still report a
 * throughput; the driver fails the run when {@link #errors()} is not zero.
 */
final class CountingDb extends DB {
  private final DB inner;
  private final AtomicLong errors;
  private final AtomicReference<String> firstError;

  CountingDb(DB inner, AtomicLong errors, AtomicReference<String> firstError) {
    this.inner = inner;
    this.errors = errors;
    this.firstError = firstError;
  }

  @Override
  public void init() throws DBException {
    inner.setProperties(getProperties());
    inner.init();
  }

  @Override
  public void cleanup() throws DBException {
    inner.cleanup();
  }

  private Status count(String op, String key, Status s) {
    if (!s.isOk()) {
      errors.incrementAndGet();
      firstError.compareAndSet(null, op + " " + key + " returned " + s.getName());
    }
    return s;
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    return count("read", key, inner.read(table, key, fields, result));
  }

  @Override
  public Status scan(String table, String startKey, int count, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    return count("scan", startKey, inner.scan(table, startKey, count, fields, result));
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    return count("update", key, inner.update(table, key, values));
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    return count("insert", key, inner.insert(table, key, values));
  }

  @Override
  public Status delete(String table, String key) {
    return count("delete", key, inner.delete(table, key));
  }
}
