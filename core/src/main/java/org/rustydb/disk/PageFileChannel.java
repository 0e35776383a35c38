package org.rustydb.disk;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * All raw file I/O of the disk manager: positional reads and writes of whole, 4096-aligned pages through
 * a {@link FileChannel}, optionally opened with O_DIRECT. It is the one class to switch to
 * {@code org.rustydb.io.IoEngine} (io_uring) when that lands; nothing else in this package touches a
 * channel.
 *
 * <p>An interrupt does not close the file for everyone (as a bare {@code FileChannel} would): see
 * {@link #recover}.
 *
 * <p>With O_DIRECT the JDK requires the buffer's address, the file offset and the length to be multiples
 * of the file system's block size; callers pass native segments aligned to {@link #ALIGNMENT} (the disk
 * manager copies through a bounce buffer otherwise) and page-multiple offsets and lengths.
 */
final class PageFileChannel implements AutoCloseable {

  /** Buffer alignment for direct I/O: one page, which covers every usual block size (512, 4096). */
  static final int ALIGNMENT = PageFileStore.PAGE_SIZE;

  /** Opens a channel; tests substitute one that refuses O_DIRECT to exercise the fall-back. */
  @FunctionalInterface
  interface Opener {
    FileChannel open(Path path, Set<OpenOption> options) throws IOException;
  }

  static final Opener DEFAULT_OPENER = (path, options) -> FileChannel.open(path, options);

  private final Path path;
  private final Set<OpenOption> options;
  private final Opener opener;
  private final boolean direct;
  /** Replaced when an interrupt closed it (see the class comment). */
  private volatile FileChannel channel;
  private volatile boolean closed;

  private PageFileChannel(Path path, Set<OpenOption> options, Opener opener, boolean direct) throws IOException {
    this.path = path;
    this.options = Set.copyOf(options);
    this.opener = opener;
    this.direct = direct;
    this.channel = opener.open(path, options);
  }

  /**
   * Opens an existing file for reading and writing (or only reading), with O_DIRECT when {@code direct}
   * and the file system accepts it, else buffered.
   */
  static PageFileChannel open(Path path, boolean direct, boolean readOnly, Opener opener) throws IOException {
    Set<OpenOption> options = new HashSet<>();
    options.add(StandardOpenOption.READ);
    if (!readOnly) options.add(StandardOpenOption.WRITE);
    if (direct) {
      Set<OpenOption> withDirect = new HashSet<>(options);
      withDirect.add(ExtendedOpenOption.DIRECT);
      try {
        return new PageFileChannel(path, withDirect, opener, true);
      } catch (IOException | UnsupportedOperationException e) {
        System.getLogger(PageFileChannel.class.getName())
            .log(System.Logger.Level.DEBUG, "O_DIRECT refused for {0} ({1}); buffered I/O", path, e.toString());
      }
    }
    return new PageFileChannel(path, options, opener, false);
  }

  /**
   * Whether O_DIRECT works in {@code dir}: opens a probe file there with O_DIRECT, writes and reads one
   * aligned page, and deletes it. Returns null when it works, else why not.
   */
  static String probeDirect(Path dir, Opener opener) {
    Path probe = dir.resolve("direct-io-probe.tmp");
    try {
      long blockSize = Files.getFileStore(dir).getBlockSize();
      if (blockSize <= 0 || ALIGNMENT % blockSize != 0) {
        return "file system block size " + blockSize + " does not divide " + ALIGNMENT;
      }
      Files.deleteIfExists(probe);
      Files.createFile(probe);
      try (PageFileChannel ch = open(probe, true, false, opener); Arena arena = Arena.ofConfined()) {
        if (!ch.direct()) return "the file system refuses O_DIRECT";
        MemorySegment page = arena.allocate(ALIGNMENT, ALIGNMENT);
        ch.write(0, page);
        if (ch.read(0, page) != ALIGNMENT) return "O_DIRECT probe read came back short";
      }
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return e.toString();
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // a stray probe file in temp/ is removed the next time the directory opens
      }
    }
  }

  /** Whether {@code s} may be handed to a direct channel as it is. */
  static boolean aligned(MemorySegment s) {
    return s.isNative() && s.address() % ALIGNMENT == 0 && s.byteSize() % ALIGNMENT == 0;
  }

  boolean direct() {
    return direct;
  }

  Path path() {
    return path;
  }

  /** Reads {@code buf.byteSize()} bytes at {@code offset}; returns how many were read (short at end of file). */
  int read(long offset, MemorySegment buf) throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel;
      try {
        ByteBuffer bb = buf.asByteBuffer();
        int total = 0;
        while (bb.hasRemaining()) {
          int n = ch.read(bb, offset + total);
          if (n < 0) break;
          total += n;
        }
        return total;
      } catch (ClosedChannelException e) {
        recover(ch, e, attempt);
      }
    }
  }

  /** Writes all of {@code buf} at {@code offset}. */
  void write(long offset, MemorySegment buf) throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel;
      try {
        ByteBuffer bb = buf.asByteBuffer();
        long pos = offset;
        while (bb.hasRemaining()) {
          pos += ch.write(bb, pos);
        }
        return;
      } catch (ClosedChannelException e) {
        recover(ch, e, attempt);
      }
    }
  }

  long size() throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel;
      try {
        return ch.size();
      } catch (ClosedChannelException e) {
        recover(ch, e, attempt);
      }
    }
  }

  /** fsync (data and metadata: the file's size may have changed). */
  void force() throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel;
      try {
        ch.force(true);
        return;
      } catch (ClosedChannelException e) {
        recover(ch, e, attempt);
      }
    }
  }

  /**
   * A {@link FileChannel} closes itself when a thread is interrupted in (or entering) an I/O on it, which
   * would close the page file for every thread. So: unless we closed it, reopen it; the interrupted
   * thread's call fails ({@link ClosedByInterruptException}), and a call that lost its channel to another
   * thread's interrupt is retried once on the new one.
   */
  private void recover(FileChannel broken, ClosedChannelException e, int attempt) throws IOException {
    if (closed) throw e;
    synchronized (this) {
      if (closed) throw e;
      if (channel == broken) {
        channel = opener.open(path, options);
        System.getLogger(PageFileChannel.class.getName())
            .log(System.Logger.Level.DEBUG, "reopened {0} after an interrupt closed it", path);
      }
    }
    if (e instanceof ClosedByInterruptException || attempt > 0) throw e;
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      closed = true;
    }
    channel.close();
  }
}
