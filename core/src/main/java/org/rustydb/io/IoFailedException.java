package org.rustydb.io;

import java.nio.file.Path;
import org.rustydb.OperationFailedException;

/**
 * One I/O request failed (a read, a write, an open); the database is fine and other requests go on. The
 * message names the operation, file, offset and length, and the error ({@code EIO (I/O error)}).
 * {@link #errno()} is the Linux error number, or 0 when the engine does not know one (the portable engine
 * reports Java's exception as the cause instead).
 */
public class IoFailedException extends OperationFailedException {

  private final int errno;

  public IoFailedException(String op, Path path, long offset, long length, int errno) {
    super(describe(op, path, offset, length) + ": " + Errno.describe(errno));
    this.errno = errno;
  }

  public IoFailedException(String op, Path path, long offset, long length, Throwable cause) {
    super(describe(op, path, offset, length) + ": " + cause, cause);
    this.errno = 0;
  }

  public IoFailedException(String message) {
    super(message);
    this.errno = 0;
  }

  public int errno() {
    return errno;
  }

  static String describe(String op, Path path, long offset, long length) {
    return offset < 0 ? op + " " + path : op + " " + path + " at offset " + offset + " length " + length;
  }
}
