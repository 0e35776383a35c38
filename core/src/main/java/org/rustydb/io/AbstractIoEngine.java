package org.rustydb.io;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.rustydb.ClosedException;

/**
 * What every engine shares: request validation, the closed state, per-file reference counts, ordering of
 * syncs after earlier writes, statistics, and the bounded drain on close. Engines implement
 * {@link #dispatch} (start these requests) and report back through {@link #complete} and the
 * {@code fail...} methods, exactly once per request.
 *
 * <p>Close protocol: a submitter first counts its request in {@link #outstanding}, then checks
 * {@link #closing}; {@link #close()} first sets {@code closing}, then waits for {@code outstanding} to reach
 * zero. With both being sequentially consistent, either close sees the request and waits for it, or the
 * submitter sees {@code closing} and backs out: no request slips past a finished close.
 */
abstract class AbstractIoEngine implements IoEngine {

  /** Linux caps one read or write at this many bytes (MAX_RW_COUNT); longer requests are refused. */
  static final long MAX_TRANSFER = 0x7ffff000L;

  /** Stands for "some thread other than the submitter" when asking whether a buffer is confined. */
  private static final Thread ANY_OTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

  /** One accepted request while the engine works on it. Engines keep their progress in the mutable fields. */
  static final class Op {
    final IoRequest request;
    final CompletableFuture<Long> future;
    final IoFile file;
    final long startNanos;
    /** Bytes transferred so far (engines continue partial transfers from here). */
    long done;
    /** io_uring: the slot whose index is the entry's user_data; -1 when not in the ring. */
    int slot = -1;
    /** io_uring: times this request was resubmitted after EINTR or EAGAIN. */
    int retries;

    Op(IoRequest request, CompletableFuture<Long> future, long startNanos) {
      this.request = request;
      this.future = future;
      this.file = request.file();
      this.startNanos = startNanos;
    }

    long length() {
      return switch (request) {
        case IoRequest.Read r -> r.length();
        case IoRequest.Write w -> w.length();
        case IoRequest.Sync s -> 0;
      };
    }
  }

  protected final IoOptions options;
  protected final IoMetrics metrics = new IoMetrics();
  private final AtomicLong nextFileId = new AtomicLong(1);
  protected final Set<IoFile> openFiles = ConcurrentHashMap.newKeySet();
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile boolean closing;
  private boolean closed;
  private final Object drainMonitor = new Object();

  AbstractIoEngine(IoOptions options) {
    this.options = options;
  }

  long nextFileId() {
    return nextFileId.getAndIncrement();
  }

  @Override
  public final IoMetrics metrics() {
    return metrics;
  }

  @Override
  public final int maxIovecs() {
    return options.maxIovecs();
  }

  final boolean isClosing() {
    return closing;
  }

  final ClosedException engineClosed() {
    return new ClosedException(name() + " I/O engine");
  }

  @Override
  public final List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests) {
    List<CompletableFuture<Long>> futures = new ArrayList<>(requests.size());
    List<Op> ready = new ArrayList<>(requests.size());
    for (IoRequest r : requests) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      futures.add(f);
      String bad = r.file().owner == this
          ? validate(r) : "file " + r.file() + " was not opened by this " + name() + " engine";
      if (bad != null) {
        f.completeExceptionally(new IllegalArgumentException(bad));
        continue;
      }
      outstanding.incrementAndGet();
      if (closing) {
        leave();
        f.completeExceptionally(engineClosed());
        continue;
      }
      if (!r.file().acquire()) {
        leave();
        f.completeExceptionally(r.file().closedException());
        continue;
      }
      Op op = new Op(r, f, System.nanoTime());
      if (r instanceof IoRequest.Write) {
        op.file.writesInFlight.add(f);
      } else if (r instanceof IoRequest.Sync) {
        CompletableFuture<?>[] prior = op.file.writesInFlight.toArray(CompletableFuture<?>[]::new);
        if (prior.length > 0) {
          // Ordered after earlier writes: start when the last of them has completed (either way).
          CompletableFuture.allOf(prior).whenComplete((v, t) -> dispatchSafely(List.of(op)));
          continue;
        }
      }
      ready.add(op);
    }
    if (!ready.isEmpty()) dispatchSafely(ready);
    return futures;
  }

  /**
   * As {@link IoEngine#execute}: inline when {@link #runsInline} says the engine can run this request on the
   * caller's thread, the request is valid, and (for a sync) no write of its file is still in flight; the
   * same accounting as {@link #submit} (close protocol, file reference, a write listed in flight while it
   * runs, so that a sync submitted meanwhile waits for it). Anything else goes through {@link #submit}.
   */
  @Override
  public final CompletableFuture<Long> execute(IoRequest r) {
    if (!runsInline(r) || r.file().owner != this || validate(r) != null
        || (r instanceof IoRequest.Sync && !r.file().writesInFlight.isEmpty())) {
      return submit(List.of(r)).getFirst();
    }
    CompletableFuture<Long> f = new CompletableFuture<>();
    outstanding.incrementAndGet();
    if (closing) {
      leave();
      f.completeExceptionally(engineClosed());
      return f;
    }
    if (!r.file().acquire()) {
      leave();
      f.completeExceptionally(r.file().closedException());
      return f;
    }
    Op op = new Op(r, f, System.nanoTime());
    if (r instanceof IoRequest.Write) op.file.writesInFlight.add(f);
    try {
      runInline(op);
    } catch (RuntimeException | Error e) {
      if (!f.isDone()) failCause(op, e);
      if (e instanceof Error err) throw err;
    }
    return f;
  }

  /** Whether this engine can run {@code r} on the caller's thread ({@link #runInline}); false by default. */
  boolean runsInline(IoRequest r) {
    return false;
  }

  /** Runs an accepted request on the calling thread; must end in exactly one complete or fail call. */
  void runInline(Op op) {
    throw new IllegalStateException(name() + " engine runs no request inline");
  }

  private void dispatchSafely(List<Op> ops) {
    try {
      dispatch(ops);
    } catch (RuntimeException | Error e) {
      for (Op op : ops) {
        if (!op.future.isDone() && op.slot < 0) failCause(op, e);
      }
      throw e;
    }
  }

  /** Checks a request before it reaches the OS; returns what is wrong, or null. */
  private String validate(IoRequest r) {
    boolean direct = r.file().options().direct();
    switch (r) {
      case IoRequest.Read rd -> {
        String why = checkBuffer(rd.buffer(), direct, "read buffer");
        if (why != null) return why;
        if (rd.length() > MAX_TRANSFER) return "read of " + rd.length() + " bytes exceeds " + MAX_TRANSFER;
        if (rd.offset() > Long.MAX_VALUE - rd.length()) return "read range overflows: offset " + rd.offset();
        if (direct && rd.offset() % DIRECT_IO_ALIGNMENT != 0) {
          return "direct I/O offset " + rd.offset() + " is not a multiple of " + DIRECT_IO_ALIGNMENT
              + " (file " + r.file() + ")";
        }
      }
      case IoRequest.Write w -> {
        if (w.buffers().size() > options.maxIovecs()) {
          return "write with " + w.buffers().size() + " buffers exceeds maxIovecs " + options.maxIovecs();
        }
        for (MemorySegment b : w.buffers()) {
          String why = checkBuffer(b, direct, "write buffer");
          if (why != null) return why;
        }
        if (w.length() > MAX_TRANSFER) return "write of " + w.length() + " bytes exceeds " + MAX_TRANSFER;
        if (w.offset() > Long.MAX_VALUE - w.length()) return "write range overflows: offset " + w.offset();
        if (direct && w.offset() % DIRECT_IO_ALIGNMENT != 0) {
          return "direct I/O offset " + w.offset() + " is not a multiple of " + DIRECT_IO_ALIGNMENT
              + " (file " + r.file() + ")";
        }
      }
      case IoRequest.Sync s -> {
        return null;
      }
    }
    return null;
  }

  private String checkBuffer(MemorySegment b, boolean direct, String what) {
    if (!b.scope().isAlive()) return what + " is no longer alive (its arena was closed)";
    if (!b.isAccessibleBy(ANY_OTHER_THREAD)) {
      return what + " belongs to a confined arena; I/O completes on other threads, so use a shared,"
          + " global or automatic arena";
    }
    if (requiresNativeBuffers() && !b.isNative()) {
      return what + " must be native (off-heap) memory for the " + name() + " engine";
    }
    if (direct) {
      if (b.isNative() && b.address() % DIRECT_IO_ALIGNMENT != 0) {
        return "direct I/O " + what + " address 0x" + Long.toHexString(b.address())
            + " is not " + DIRECT_IO_ALIGNMENT + "-aligned";
      }
      if (b.byteSize() % DIRECT_IO_ALIGNMENT != 0) {
        return "direct I/O " + what + " length " + b.byteSize() + " is not a multiple of " + DIRECT_IO_ALIGNMENT;
      }
    }
    return null;
  }

  /** Whether buffers must be native memory (io_uring hands addresses to the kernel). */
  abstract boolean requiresNativeBuffers();

  /** Starts these accepted requests. Each must end in exactly one complete or fail call. */
  abstract void dispatch(List<Op> ops);

  /** Releases the engine's threads and memory after the drain; {@code stragglers} = requests still out. */
  abstract void shutdown(boolean stragglers);

  final void complete(Op op, long bytes) {
    long nanos = System.nanoTime() - op.startNanos;
    switch (op.request) {
      case IoRequest.Read rd -> {
        boolean sequential = op.file.lastReadEnd == rd.offset();
        op.file.lastReadEnd = rd.offset() + bytes;
        metrics.recordRead(bytes, nanos, sequential);
        if (rd.exact() && bytes < rd.length()) {
          finish(op, 0, new ShortReadException(op.file.path(), rd.offset(), rd.length(), bytes));
          return;
        }
      }
      case IoRequest.Write w -> metrics.recordWrite(bytes, nanos);
      case IoRequest.Sync s -> { }
    }
    finish(op, bytes, null);
  }

  /** Fails a request with the kernel's error number, as the right exception for its kind. */
  final void failErrno(Op op, int errno) {
    finish(op, 0, switch (op.request) {
      case IoRequest.Read rd -> new IoFailedException("read", op.file.path(), rd.offset() + op.done,
          rd.length() - op.done, errno);
      case IoRequest.Write w -> new IoFailedException("write", op.file.path(), w.offset() + op.done,
          w.length() - op.done, errno);
      case IoRequest.Sync s -> new SyncFailedException(s.dataOnly() ? "fdatasync" : "fsync", op.file.path(), errno);
    });
  }

  /** Fails a request with a Java exception: ours as is, others wrapped into the right kind. */
  final void failCause(Op op, Throwable cause) {
    if (cause instanceof org.rustydb.RustyDbException || cause instanceof IllegalArgumentException) {
      finish(op, 0, cause);
      return;
    }
    finish(op, 0, switch (op.request) {
      case IoRequest.Read rd -> new IoFailedException("read", op.file.path(), rd.offset(), rd.length(), cause);
      case IoRequest.Write w -> new IoFailedException("write", op.file.path(), w.offset(), w.length(), cause);
      case IoRequest.Sync s -> new SyncFailedException(s.dataOnly() ? "fdatasync" : "fsync", op.file.path(), cause);
    });
  }

  private void finish(Op op, long bytes, Throwable error) {
    if (op.request instanceof IoRequest.Write) op.file.writesInFlight.remove(op.future);
    op.file.release();
    leave();
    if (error == null) {
      op.future.complete(bytes);
    } else {
      op.future.completeExceptionally(error);
    }
  }

  private void leave() {
    if (outstanding.decrementAndGet() == 0 && closing) {
      synchronized (drainMonitor) {
        drainMonitor.notifyAll();
      }
    }
  }

  /** Whether the calling thread is one of the engine's own (closing from there would wait on itself). */
  abstract boolean isEngineThread();

  @Override
  public final void close() {
    if (isEngineThread()) {
      throw new IllegalStateException("close() called from an I/O completion callback of " + name()
          + "; close the engine from another thread");
    }
    synchronized (this) {
      if (closed) return;
      closing = true;
      long deadline = System.nanoTime() + options.closeTimeout().toNanos();
      boolean interrupted = false;
      synchronized (drainMonitor) {
        while (outstanding.get() > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          try {
            TimeUnit.NANOSECONDS.timedWait(drainMonitor, left);
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      shutdown(outstanding.get() > 0);
      for (IoFile f : openFiles) f.close();
      openFiles.clear();
      closed = true;
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
