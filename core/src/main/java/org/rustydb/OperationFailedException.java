package org.rustydb;

/**
 * One call failed and changed nothing; the database is still fine and other calls go on. Examples: a key
 * too large, a table that does not exist, a write conflict, a handle used after close.
 */
public non-sealed class OperationFailedException extends RustyDbException {

  public OperationFailedException(String message) {
    super(message);
  }

  public OperationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
