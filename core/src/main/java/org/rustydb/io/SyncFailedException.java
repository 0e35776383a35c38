package org.rustydb.io;

import java.nio.file.Path;
import org.rustydb.DatabaseFailedException;

/**
 * An fsync or fdatasync failed. Unlike a failed write this is not retryable: after a failed sync the
 * kernel may have dropped the dirty pages, so whatever was written since the last good sync cannot be
 * trusted. Callers (the WAL, the checkpointer) turn the database read-only, as DESIGN.md requires.
 */
public class SyncFailedException extends DatabaseFailedException {

  private final int errno;

  public SyncFailedException(String op, Path path, int errno) {
    super(op + " " + path + " failed: " + Errno.describe(errno)
        + "; writes since the last successful sync may be lost");
    this.errno = errno;
  }

  public SyncFailedException(String op, Path path, Throwable cause) {
    super(op + " " + path + " failed: " + cause + "; writes since the last successful sync may be lost", cause);
    this.errno = 0;
  }

  public int errno() {
    return errno;
  }
}
