package org.rustydb.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable engine: positional {@link FileChannel} I/O on a bounded pool of named worker threads
 * ({@link IoOptions#workerThreads()}), one blocking system call per request on a worker. Used where io_uring
 * is missing (macOS, Windows, old or locked-down Linux) and as the reference the io_uring engine is tested
 * against.
 *
 * <p>Workers are never interrupted: an interrupt closes a {@code FileChannel} for every user of it. Close
 * therefore drains: requests still queued are failed, the ones running finish.
 */
public final class FileChannelIoEngine extends AbstractIoEngine {

  private static final System.Logger LOG = System.getLogger(FileChannelIoEngine.class.getName());
  private static final AtomicInteger ENGINES = new AtomicInteger();

  /** The JDK's O_DIRECT open option (jdk.unsupported's ExtendedOpenOption.DIRECT), or null without it. */
  private static final OpenOption DIRECT = directOption();

  private final ThreadPoolExecutor pool;
  private final ThreadGroup threads;

  public FileChannelIoEngine(IoOptions options) {
    super(options);
    int engineNo = ENGINES.incrementAndGet();
    threads = new ThreadGroup("rustydb-io-fc-" + engineNo);
    AtomicInteger workerNo = new AtomicInteger();
    pool = new ThreadPoolExecutor(options.workerThreads(), options.workerThreads(), 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(threads, r, "rustydb-io-fc-" + engineNo + "-" + workerNo.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private static OpenOption directOption() {
    try {
      Class<?> c = Class.forName("com.sun.nio.file.ExtendedOpenOption");
      for (Object o : c.getEnumConstants()) {
        if (o.toString().equals("DIRECT")) return (OpenOption) o;
      }
    } catch (ClassNotFoundException e) {
      // not offered by this JDK
    }
    return null;
  }

  @Override
  public String name() {
    return "filechannel";
  }

  @Override
  public IoFile open(Path path, FileOpenOptions o) {
    if (isClosing()) throw engineClosed();
    Set<OpenOption> opts = new HashSet<>();
    opts.add(StandardOpenOption.READ);
    if (o.write()) opts.add(StandardOpenOption.WRITE);
    if (o.create()) opts.add(StandardOpenOption.CREATE);
    if (o.direct()) {
      if (DIRECT == null) throw new IoFailedException("open " + path + ": this JDK offers no direct I/O option");
      opts.add(DIRECT);
    }
    try {
      FileChannel ch = FileChannel.open(path, opts);
      ChannelFile f = new ChannelFile(this, nextFileId(), path, o, ch);
      openFiles.add(f);
      return f;
    } catch (NoSuchFileException e) {
      throw new IoFailedException("open", path, -1, 0, Errno.ENOENT);
    } catch (IOException | UnsupportedOperationException e) {
      throw new IoFailedException("open", path, -1, 0, e);
    }
  }

  @Override
  public boolean registerBuffers(MemorySegment region) {
    return false;
  }

  @Override
  public void unregisterBuffers() {}

  @Override
  boolean requiresNativeBuffers() {
    return false;
  }

  @Override
  boolean isEngineThread() {
    return Thread.currentThread().getThreadGroup() == threads;
  }

  @Override
  void dispatch(List<Op> ops) {
    for (Op op : ops) {
      try {
        pool.execute(new Task(op));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        failCause(op, engineClosed());
      }
    }
  }

  /** A queued request; close fails the ones still queued. */
  private final class Task implements Runnable {
    final Op op;

    Task(Op op) {
      this.op = op;
    }

    @Override
    public void run() {
      FileChannel ch = ((ChannelFile) op.file).channel;
      try {
        long n = switch (op.request) {
          case IoRequest.Read rd -> readFully(ch, rd.buffer().asByteBuffer(), rd.offset(), op.file.options().direct());
          case IoRequest.Write w -> write(ch, w, op.file);
          case IoRequest.Sync s -> {
            ch.force(!s.dataOnly());
            yield 0;
          }
        };
        complete(op, n);
      } catch (IOException | RuntimeException e) {
        failCause(op, e instanceof java.nio.channels.NonWritableChannelException
            ? new IoFailedException("write", op.file.path(), -1, 0, Errno.EBADF) : e);
      } catch (Error e) {
        failCause(op, e);
        throw e;
      }
    }
  }

  /** Reads until the buffer is full or the file ends; returns the bytes read. */
  private static long readFully(FileChannel ch, ByteBuffer dst, long offset, boolean direct) throws IOException {
    long done = 0;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, offset + done);
      if (n < 0) break;
      done += n;
      if (direct && dst.hasRemaining()) break; // a short direct read is the end of the file
    }
    return done;
  }

  private static long write(FileChannel ch, IoRequest.Write w, IoFile lock) throws IOException {
    if (w.buffers().size() == 1) {
      ByteBuffer src = w.buffers().getFirst().asByteBuffer();
      long done = 0;
      while (src.hasRemaining()) done += ch.write(src, w.offset() + done);
      return done;
    }
    // FileChannel has no positional gathering write; the channel position is shared, so gathering
    // writes to one file take turns. Positional reads and writes are unaffected by the position.
    ByteBuffer[] srcs = new ByteBuffer[w.buffers().size()];
    for (int i = 0; i < srcs.length; i++) srcs[i] = w.buffers().get(i).asByteBuffer();
    long total = w.length();
    synchronized (lock) {
      ch.position(w.offset());
      long done = 0;
      while (done < total) done += ch.write(srcs);
      return done;
    }
  }

  @Override
  void shutdown(boolean stragglers) {
    List<Runnable> queued = new ArrayList<>();
    pool.getQueue().drainTo(queued);
    for (Runnable r : queued) {
      if (r instanceof Task t) failCause(t.op, new org.rustydb.ClosedException(
          name() + " I/O engine (closed before this request started)"));
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "filechannel I/O engine: workers still busy after close timeout");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class ChannelFile extends IoFile {
    final FileChannel channel;
    final FileChannelIoEngine engine;

    ChannelFile(FileChannelIoEngine engine, long id, Path path, FileOpenOptions options, FileChannel channel) {
      super(engine, id, path, options);
      this.engine = engine;
      this.channel = channel;
    }

    @Override
    public long size() {
      if (!isOpen()) throw closedException();
      try {
        return channel.size();
      } catch (java.nio.channels.ClosedChannelException e) {
        throw closedException();
      } catch (IOException e) {
        throw new IoFailedException("size of", path(), -1, 0, e);
      }
    }

    @Override
    protected void closeHandle() {
      engine.openFiles.remove(this);
      try {
        channel.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "closing " + path() + ": " + e);
      }
    }
  }
}
