package org.rustydb.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.rustydb.ClosedException;

/**
 * A read-only, shared memory mapping of a file, for copying pages out of the OS page cache without a system
 * call. A buffered read of a cached page is a {@code pread}: the system call, the kernel's page-cache lookup,
 * and a copy; through a mapping it is the copy alone once the page is mapped (YCSB with the data 4x the
 * buffer pool spent a third of its time in {@code pread} and the I/O stack around it). Linux only:
 * {@link #open} returns null elsewhere.
 *
 * <p>The file is mapped in windows of {@link #WINDOW_BYTES}, each when a copy first needs it, and a window
 * may reach past the file's end, so a file that grows needs no new mapping: pages written past the old end
 * show in the window as soon as they are in the file. Linux keeps one page cache per file, so writes
 * through any other path ({@code pwrite}, io_uring) are seen at once; writes with O_DIRECT are too, but
 * make the mapped pages be read again from the disk, so use this only for files written buffered.
 *
 * <p>The caller copies only below the file's size. A copy past it (a file truncated behind the database's
 * back) touches no memory outside the mapping: the kernel raises SIGBUS, the JVM turns it into an
 * {@link InternalError} in that copy, and {@link #copy} returns false. Thread-safe; closing unmaps every
 * window, and a copy racing with the close fails with {@link ClosedException} (FFM's shared-arena rule),
 * never reading unmapped memory.
 */
public final class MappedFile implements AutoCloseable {

  /** The address space one mapping covers: 1 GiB, so a page file of up to a few GiB has a few mappings. */
  public static final long WINDOW_BYTES = 1L << 30;

  private final LinuxNative nat;
  private final Path path;
  private final int fd;
  private final long windowBytes;
  private final Arena arena = Arena.ofShared();
  /** Window i covers bytes [i * windowBytes, (i + 1) * windowBytes); null until first needed. */
  private volatile MemorySegment[] windows = new MemorySegment[0];
  private boolean closed; // guarded by this

  private MappedFile(LinuxNative nat, Path path, int fd, long windowBytes) {
    this.nat = nat;
    this.path = path;
    this.fd = fd;
    this.windowBytes = windowBytes;
  }

  /**
   * Opens {@code path} (read-only) for mapped reads, or returns null where memory mappings through FFM are
   * not available (not Linux, or native access refused). Maps the first window at once, so that a file
   * system that cannot map files fails here rather than at a read.
   *
   * @throws IoFailedException if the file cannot be opened or mapped
   */
  public static MappedFile open(Path path) {
    return open(path, WINDOW_BYTES);
  }

  /** As {@link #open(Path)} with windows of {@code windowBytes} (a multiple of 4096), for tests. */
  static MappedFile open(Path path, long windowBytes) {
    if (windowBytes <= 0 || windowBytes % IoEngine.DIRECT_IO_ALIGNMENT != 0) {
      throw new IllegalArgumentException("window must be a positive multiple of 4096: " + windowBytes);
    }
    LinuxNative nat = LinuxNative.get().orElse(null);
    if (nat == null) return null;
    long fd = nat.open(path, LinuxNative.O_RDONLY);
    if (fd < 0) throw new IoFailedException("open", path, 0, 0, (int) -fd);
    MappedFile m = new MappedFile(nat, path, (int) fd, windowBytes);
    try {
      m.map(0);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  /**
   * Copies {@code dst.byteSize()} bytes from {@code offset} of the file into {@code dst}; false when they
   * are not all in the file (past its end: nothing is trusted in {@code dst} then), or when their window
   * could not be mapped (the caller reads them another way). The range must lie in one window (a page at a
   * page-aligned offset always does).
   *
   * @throws ClosedException if this mapping is closed
   */
  public boolean copy(long offset, MemorySegment dst) {
    long length = dst.byteSize();
    long window = offset / windowBytes;
    long at = offset % windowBytes;
    if (offset < 0 || at + length > windowBytes || window > Integer.MAX_VALUE - 1) {
      throw new IllegalArgumentException("range " + offset + "+" + length + " crosses a mapping window of "
          + windowBytes + " bytes");
    }
    MemorySegment[] ws = windows;
    MemorySegment w = window < ws.length ? ws[(int) window] : null;
    if (w == null) {
      try {
        w = map((int) window);
      } catch (IoFailedException e) { // out of address space, say: this window stays unmapped
        return false;
      }
    }
    try {
      MemorySegment.copy(w, at, dst, 0, length);
      return true;
    } catch (InternalError e) { // SIGBUS: the range is past the file's end
      return false;
    } catch (IllegalStateException e) { // the arena closed during the copy
      throw closed();
    }
  }

  private synchronized MemorySegment map(int window) {
    if (closed) throw closed();
    MemorySegment[] ws = windows;
    if (window < ws.length && ws[window] != null) return ws[window];
    MemorySegment w = nat.mmapReadOnly(windowBytes, fd, window * windowBytes, arena, path.toString());
    MemorySegment[] grown = java.util.Arrays.copyOf(ws, Math.max(ws.length, window + 1));
    grown[window] = w;
    windows = grown;
    return w;
  }

  private ClosedException closed() {
    return new ClosedException("mapping of " + path);
  }

  /** Unmaps every window and closes the file. Closing twice is harmless. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    try {
      arena.close();
    } finally {
      nat.close(fd);
    }
  }
}
