package org.rustydb.io;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;
import org.rustydb.stats.IoStats;

/**
 * The asynchronous I/O engine: the one way RustyDB moves bytes between files and memory. Implementations
 * are {@link UringIoEngine} (Linux io_uring through the FFM API) and {@link FileChannelIoEngine}
 * (portable); {@link IoEngines#create} picks one.
 *
 * <p>Contract (checked for every engine by {@code IoEngineContractTest}):
 * <ul>
 *   <li>{@link #submit(List)} hands a batch to the engine in one go (io_uring: one system call for the
 *       batch) and returns one future per request, in order. It does not throw for a bad request: every
 *       failure of a request is reported through its own future, and the other requests go on.</li>
 *   <li>Futures complete with the bytes transferred. A read is short only at the end of the file
 *       ({@link IoRequest.Read#exact()} turns that into {@link ShortReadException}); partial transfers
 *       elsewhere are continued by the engine.</li>
 *   <li>A {@link IoRequest.Sync} starts only after every write to the same file submitted before it has
 *       completed, so "write, write, sync" in one batch is durable when the sync's future completes.</li>
 *   <li>Errors: {@link IoFailedException} (with the errno name) for a failed read or write,
 *       {@link SyncFailedException} for a failed sync, {@link IllegalArgumentException} for a request
 *       that can never work (misaligned direct I/O, a file of another engine, too many buffers),
 *       {@link ClosedException} for a closed file or engine.</li>
 *   <li>{@link #close()} refuses new requests, waits (up to {@link IoOptions#closeTimeout()}) for the
 *       requests in flight, fails whatever is left with a clear error, and never hangs.</li>
 * </ul>
 *
 * <p>Futures may be completed on the engine's completion thread: callbacks attached with
 * {@code thenApply}/{@code whenComplete} must not block (use the {@code ...Async} variants for that).
 * Buffers must stay alive until their request's future completes.
 */
public interface IoEngine extends AutoCloseable {

  /** Offsets, lengths and buffer addresses of direct (O_DIRECT) I/O must be multiples of this. */
  int DIRECT_IO_ALIGNMENT = 4096;

  /** The engine's short name as the CLI spells it: {@code uring} or {@code filechannel}. */
  String name();

  /** Opens (or creates) a file; fails with {@link IoFailedException} naming the file and the reason. */
  IoFile open(Path path, FileOpenOptions options);

  /** Submits a batch; one future per request, in order. */
  List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests);

  default CompletableFuture<Long> submit(IoRequest request) {
    return submit(List.of(request)).getFirst();
  }

  /**
   * Runs one request on the calling thread when the engine can (a blocking system call, no hand-off to an
   * engine thread and back) and nothing it must be ordered after is still in flight; otherwise submits it
   * as {@link #submit(IoRequest)} does. Either way the result is the request's future, complete when an
   * inline run returns; errors are reported through it as for {@code submit}. For a caller that would wait
   * for the request at once anyway (the WAL's commit path, every page read and write of the disk manager): the
   * hand-off to the engine's thread and the wake-up after it cost more than a write or sync the disk takes
   * quickly or a read the OS cache serves (docs/benchmarks.md). By default it submits: the portable engine
   * keeps that (its channels close when a thread is interrupted in them), and decorators that do not
   * override it (fault injection, recording) keep seeing every request in their {@code submit}.
   */
  default CompletableFuture<Long> execute(IoRequest request) {
    return submit(request);
  }

  /** Reads into {@code dst}; completes with the bytes read (short only at the end of the file). */
  default CompletableFuture<Long> read(IoFile file, long offset, MemorySegment dst) {
    return submit(new IoRequest.Read(file, offset, dst, false));
  }

  /** Reads exactly {@code dst.byteSize()} bytes, or fails with {@link ShortReadException}. */
  default CompletableFuture<Long> readFully(IoFile file, long offset, MemorySegment dst) {
    return submit(new IoRequest.Read(file, offset, dst, true));
  }

  default CompletableFuture<Long> write(IoFile file, long offset, MemorySegment src) {
    return submit(new IoRequest.Write(file, offset, src));
  }

  /** A vectored write: the buffers land one after another starting at {@code offset}. */
  default CompletableFuture<Long> write(IoFile file, long offset, List<MemorySegment> srcs) {
    return submit(new IoRequest.Write(file, offset, srcs));
  }

  default CompletableFuture<Long> fsync(IoFile file) {
    return submit(new IoRequest.Sync(file, false));
  }

  default CompletableFuture<Long> fdatasync(IoFile file) {
    return submit(new IoRequest.Sync(file, true));
  }

  /**
   * Whether the files' users may read buffered files through a memory mapping ({@link MappedFile}) instead of
   * this engine: such reads never reach it. True unless this is a decorator that must see every read, such
   * as a fault injector.
   */
  default boolean allowsMappedReads() {
    return true;
  }

  /**
   * Registers a native memory region (the buffer pool's frames) for zero-setup I/O: io_uring pins it once
   * and then reads and writes whose buffer lies inside it skip per-request page mapping. Replaces any
   * region registered before. Returns whether the engine uses it (the portable engine does not; io_uring
   * may refuse, e.g. over the memlock limit, and then carries on without).
   */
  boolean registerBuffers(MemorySegment region);

  /** Forgets the registered region, if any. */
  void unregisterBuffers();

  /** The most buffers one {@link IoRequest.Write} may carry ({@link IoOptions#maxIovecs()}). */
  int maxIovecs();

  /** The live counters; the prefetcher reports prefetch hits and misses through it. */
  IoMetrics metrics();

  default IoStats stats() {
    return metrics().snapshot();
  }

  /** Refuses new requests, drains the ones in flight (bounded), releases threads, files and memory. */
  @Override
  void close();

  /**
   * Waits for {@code future} and returns its value, rethrowing a failure as it was raised (an
   * {@link OperationFailedException}, {@link IllegalArgumentException}...) rather than wrapped in a
   * {@link CompletionException}. For synchronous callers such as the disk manager.
   */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperationFailedException("interrupted while waiting for I/O", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) throw re;
      if (cause instanceof Error err) throw err;
      throw new OperationFailedException("I/O failed: " + cause, cause);
    }
  }
}
