package org.rustydb.io;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * One I/O request for {@link IoEngine#submit}. Requests are plain values: constructing one checks only
 * what is wrong whatever the file (nulls, negative offsets, empty buffers) and throws
 * {@link IllegalArgumentException}; everything that depends on the file or engine (closed, direct-I/O
 * alignment, a device error) is reported through that request's future.
 *
 * <p>The buffers must stay alive and untouched until the request's future completes: the kernel reads or
 * writes them asynchronously.
 */
public sealed interface IoRequest permits IoRequest.Read, IoRequest.Write, IoRequest.Sync {

  IoFile file();

  /**
   * Reads {@code buffer.byteSize()} bytes at {@code offset} into {@code buffer}. Completes with the number
   * of bytes read: less than asked only at the end of the file (0 for an offset at or past the end). With
   * {@code exact}, a short read fails with {@link ShortReadException} instead.
   */
  record Read(IoFile file, long offset, MemorySegment buffer, boolean exact) implements IoRequest {
    public Read {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(buffer, "buffer");
      if (offset < 0) throw new IllegalArgumentException("negative file offset: " + offset);
      if (buffer.byteSize() == 0) throw new IllegalArgumentException("empty read buffer");
      if (buffer.isReadOnly()) throw new IllegalArgumentException("read into a read-only buffer");
    }

    public long length() {
      return buffer.byteSize();
    }
  }

  /**
   * Writes the buffers, one after another, at {@code offset}; more than one buffer makes a vectored
   * (gathering) write, one system call or ring entry for many pages. Completes with the bytes written
   * (always the full length: a partial write is continued by the engine).
   */
  record Write(IoFile file, long offset, List<MemorySegment> buffers) implements IoRequest {
    public Write {
      Objects.requireNonNull(file, "file");
      buffers = List.copyOf(buffers);
      if (offset < 0) throw new IllegalArgumentException("negative file offset: " + offset);
      if (buffers.isEmpty()) throw new IllegalArgumentException("write without buffers");
      for (MemorySegment b : buffers) {
        if (b.byteSize() == 0) throw new IllegalArgumentException("empty write buffer");
      }
    }

    public Write(IoFile file, long offset, MemorySegment buffer) {
      this(file, offset, List.of(buffer));
    }

    public long length() {
      long n = 0;
      for (MemorySegment b : buffers) n += b.byteSize();
      return n;
    }
  }

  /**
   * Makes the file's data durable: fsync, or fdatasync when {@code dataOnly} (skips metadata such as the
   * modification time; the WAL uses it on preallocated segments). Ordered after every write to the same
   * file submitted before it: it starts only once those have completed. Completes with 0.
   */
  record Sync(IoFile file, boolean dataOnly) implements IoRequest {
    public Sync {
      Objects.requireNonNull(file, "file");
    }
  }
}
