package org.rustydb;

/**
 * The root of RustyDB's two exception families. Code never throws this type itself: it throws an
 * {@link OperationFailedException} (this call failed, the database is fine) or a
 * {@link DatabaseFailedException} (the database can no longer be trusted).
 *
 * <p>Every package may throw and catch these types; they are the one exception to the rule that
 * calls go only down the layer chain (see {@code docs/architecture.md}).
 */
public abstract sealed class RustyDbException extends RuntimeException
    permits OperationFailedException, DatabaseFailedException {

  protected RustyDbException(String message) {
    super(message);
  }

  protected RustyDbException(String message, Throwable cause) {
    super(message, cause);
  }
}
