package org.rustydb;

import java.nio.file.Path;

/**
 * Stored bytes are not what was written: a checksum mismatch, an inconsistent header, a truncated file.
 * The message names the file, the page (or record) and the offset where that is known.
 */
public class CorruptionException extends DatabaseFailedException {

  public CorruptionException(String message) {
    super(message);
  }

  public CorruptionException(Path file, long pageNo, String what) {
    super(file + ": page " + pageNo + ": " + what);
  }

  public CorruptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
