package org.rustydb.io;

import java.nio.file.Path;
import org.rustydb.OperationFailedException;

/**
 * An exact read ({@link IoRequest.Read#exact()}) reached the end of the file before filling its buffer:
 * the offset is past the end, or the file ends inside the range. {@link #bytesRead()} says how much was
 * there.
 */
public class ShortReadException extends OperationFailedException {

  private final long bytesRead;

  public ShortReadException(Path path, long offset, long length, long bytesRead) {
    super("read " + path + " at offset " + offset + " length " + length + ": end of file after "
        + bytesRead + " bytes (file ends at or before offset " + (offset + bytesRead) + ")");
    this.bytesRead = bytesRead;
  }

  public long bytesRead() {
    return bytesRead;
  }
}
