package org.rustydb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Positional I/O on one WAL segment file: the seam between the log and the operating system, so tests
 * can inject failing writes or fsyncs, and the I/O engine can take over later. {@link NioWalFile} is the
 * implementation over {@code FileChannel}.
 */
public interface WalFile extends AutoCloseable {

  /** Writes all of {@code src} at {@code position}. */
  void write(ByteBuffer src, long position) throws IOException;

  /** Reads into {@code dst} from {@code position} until it is full or the file ends; returns bytes read. */
  int read(ByteBuffer dst, long position) throws IOException;

  /** fdatasync: the data written so far is on stable storage when this returns. */
  void force() throws IOException;

  long size() throws IOException;

  @Override
  void close() throws IOException;

  /** Opens segment files. */
  @FunctionalInterface
  interface Factory {
    /** Opens {@code path} for reading, and for writing unless {@code readOnly}; creates it if writable. */
    WalFile open(java.nio.file.Path path, boolean readOnly) throws IOException;
  }
}
