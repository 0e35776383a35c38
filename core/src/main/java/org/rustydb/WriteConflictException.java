package org.rustydb;

/**
 * Another transaction has changed the same row or key and has not ended: this write fails at once (no
 * waiting, so no deadlocks), the other transaction goes on, and this one may retry after it ends.
 * Auto-committed table operations retry by themselves for a while before giving up with this exception.
 */
public final class WriteConflictException extends OperationFailedException {

  public WriteConflictException(String message) {
    super(message);
  }
}
