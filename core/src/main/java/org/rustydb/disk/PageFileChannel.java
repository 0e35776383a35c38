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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;
import org.rustydb.io.FileOpenOptions;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoFile;
import org.rustydb.io.IoRequest;

/**
 * All raw file I/O of the disk manager: positional reads and writes of whole, 4096-aligned pages, optionally
 * with O_DIRECT, through an {@link IoEngine} (io_uring or its portable engine) when the disk manager was
 * given one, else through a {@link FileChannel}. Nothing else in this package touches a file.
 *
 * <p>With an engine, each call submits one request and waits for it <em>uninterruptibly</em> (the buffer
 * belongs to the caller and must not be reused while the kernel may still fill it); a thread that is
 * interrupted when it calls fails at once with {@link ClosedByInterruptException}, as with a channel, and
 * nothing is submitted. Engine errors arrive as {@link IOException}s wrapping the engine's exception, so the
 * disk manager's error handling (read-only after a failed fsync) is the same for both paths.
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
  /** The engine path (both null on the FileChannel path). */
  private final IoEngine engine;
  private final IoFile ioFile;

  private PageFileChannel(Path path, Set<OpenOption> options, Opener opener, boolean direct) throws IOException {
    this.path = path;
    this.options = Set.copyOf(options);
    this.opener = opener;
    this.direct = direct;
    this.channel = opener.open(path, options);
    this.engine = null;
    this.ioFile = null;
  }

  private PageFileChannel(Path path, IoEngine engine, IoFile file, boolean direct) {
    this.path = path;
    this.options = Set.of();
    this.opener = null;
    this.direct = direct;
    this.channel = null;
    this.engine = engine;
    this.ioFile = file;
  }

  /** As {@link #open(Path, boolean, boolean, Opener)}, through {@code engine} when it is not null. */
  static PageFileChannel open(Path path, boolean direct, boolean readOnly, Opener opener, IoEngine engine)
      throws IOException {
    if (engine == null) return open(path, direct, readOnly, opener);
    FileOpenOptions o = new FileOpenOptions(!readOnly, false, false);
    if (direct) {
      try {
        return new PageFileChannel(path, engine, engine.open(path, o.withDirect(true)), true);
      } catch (RuntimeException e) {
        System.getLogger(PageFileChannel.class.getName())
            .log(System.Logger.Level.DEBUG, "O_DIRECT refused for {0} ({1}); buffered I/O", path, e.toString());
      }
    }
    try {
      return new PageFileChannel(path, engine, engine.open(path, o), false);
    } catch (OperationFailedException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Submits through the engine (unless the caller is interrupted) and waits without being interruptible. */
  private long io(java.util.function.Supplier<CompletableFuture<Long>> request) throws IOException {
    if (Thread.currentThread().isInterrupted()) throw new ClosedByInterruptException();
    CompletableFuture<Long> f = request.get();
    boolean interrupted = false;
    try {
      for (;;) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the I/O owns the buffer until it completes: keep waiting
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof ClosedException) {
            ClosedChannelException closedChannel = new ClosedChannelException();
            closedChannel.initCause(c);
            throw closedChannel;
          }
          if (c instanceof IllegalArgumentException iae) throw iae;
          if (c instanceof Error err) throw err;
          throw new IOException(c.getMessage(), c);
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
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
    // The caller waits anyway: on this thread where the engine can (IoEngine.execute).
    if (engine != null) return (int) io(() -> engine.execute(new IoRequest.Read(ioFile, offset, buf, false)));
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
    if (engine != null) {
      // The caller waits anyway (see read); every write here is waited for, so none overtakes another.
      io(() -> engine.execute(new IoRequest.Write(ioFile, offset, buf)));
      return;
    }
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
    if (engine != null) {
      try {
        return ioFile.size();
      } catch (OperationFailedException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
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
    if (engine != null) {
      io(() -> engine.fsync(ioFile));
      return;
    }
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
    if (engine != null) ioFile.close(); else channel.close();
  }
}
