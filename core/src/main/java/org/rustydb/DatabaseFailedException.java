package org.rustydb;

/**
 * The database can no longer be trusted as it is: a corrupt page, a failed fsync, a damaged log. What was
 * committed before stays safe on disk; reopening (and recovery) is the way back.
 */
public non-sealed class DatabaseFailedException extends RustyDbException {

  public DatabaseFailedException(String message) {
    super(message);
  }

  public DatabaseFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
