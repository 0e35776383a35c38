package org.rustydb.txn;

import java.util.concurrent.ConcurrentHashMap;
import org.rustydb.OperationFailedException;
import org.rustydb.WriteConflictException;

/**
 * Row-level exclusive write locks, keyed by (file id, record id), with no waiting: a request for a row
 * another transaction holds fails at once with {@link WriteConflictException} ("write conflict on ..."),
 * and the holder goes on. With no waiting there is no deadlock to detect. Locks are released when their
 * transaction commits or aborts. Reads take no locks.
 */
public final class LockManager {

  /** One row: the page file and the record id within it. */
  public record RowKey(int fileId, long recordId) {}

  private final ConcurrentHashMap<RowKey, Long> owners = new ConcurrentHashMap<>();

  /**
   * Locks row ({@code fileId}, {@code recordId}) for {@code txn}; a lock it already holds is fine.
   *
   * @throws WriteConflictException when another transaction holds it
   */
  public void lock(Transaction txn, int fileId, long recordId) {
    RowKey key = new RowKey(fileId, recordId);
    Long prev = owners.putIfAbsent(key, txn.id());
    if (prev == null) {
      txn.addLock(key);
    } else if (prev != txn.id()) {
      throw new WriteConflictException("write conflict on file " + fileId + " record " + recordId
          + ": transaction " + prev + " holds it (transaction " + txn.id() + " may retry after it ends)");
    }
  }

  /** The holder of a row's lock, or 0. */
  public long holder(int fileId, long recordId) {
    Long h = owners.get(new RowKey(fileId, recordId));
    return h == null ? 0 : h;
  }

  void releaseAll(Transaction txn) {
    for (RowKey k : txn.locks()) owners.remove(k, txn.id());
  }

  /** Number of rows locked now. */
  public int size() {
    return owners.size();
  }
}
