package org.rustydb;

/** A handle (database, file, engine, allocator) was used after it was closed. */
public class ClosedException extends OperationFailedException {

  public ClosedException(String what) {
    super(what + " is closed");
  }
}
