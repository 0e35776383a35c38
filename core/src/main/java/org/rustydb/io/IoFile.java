package org.rustydb.io;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rustydb.ClosedException;

/**
 * A file opened by an {@link IoEngine}; pass it in {@link IoRequest}s to that engine only.
 *
 * <p>Closing is safe with requests in flight: {@link #close()} stops new requests at once (they fail with
 * {@link ClosedException}) and the OS handle is released when the last request in flight completes.
 * That matters for io_uring: closing a descriptor under a queued request could let the kernel apply it to
 * whatever file next reuses the number. The state is one {@code long}: a closed bit above a count of
 * requests in flight.
 */
public abstract class IoFile implements AutoCloseable {

  private static final long CLOSED = 1L << 62;

  /** The engine that opened this file; requests to any other engine are refused. */
  final Object owner;
  private final long id;
  private final Path path;
  private final FileOpenOptions options;
  private final AtomicLong state = new AtomicLong();
  /** Writes submitted and not yet completed; a sync waits for the ones present when it is submitted. */
  final Set<CompletableFuture<Long>> writesInFlight = ConcurrentHashMap.newKeySet();
  /**
   * Writes accepted by an {@link IoScheduler} and not yet completed (queued, waiting for a slot, in the
   * engine or running inline): a sync the scheduler accepts later waits for them. Kept on the file rather
   * than in a map of the scheduler's, so tracking a write costs one set insertion, not a lookup plus a new
   * set per file whenever it falls empty (a cost the WAL paid twice per commit). Two schedulers over one
   * engine would share it, which only makes a sync wait for more writes than it must.
   */
  final Set<CompletableFuture<Long>> scheduledWrites = ConcurrentHashMap.newKeySet();
  /** Where the last read of this file ended, to tell sequential reads from random ones in IoStats. */
  volatile long lastReadEnd = -1;

  IoFile(Object owner, long id, Path path, FileOpenOptions options) {
    this.owner = owner;
    this.id = id;
    this.path = path;
    this.options = options;
  }

  /** A number unique within the engine, used to order requests by file (see {@link IoBatcher}). */
  public long id() {
    return id;
  }

  public Path path() {
    return path;
  }

  public FileOpenOptions options() {
    return options;
  }

  public boolean isOpen() {
    return (state.get() & CLOSED) == 0;
  }

  /** The file's current size in bytes. */
  public abstract long size();

  /** Stops new requests; the handle is released once requests in flight have completed. Idempotent. */
  @Override
  public void close() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) return;
      if (state.compareAndSet(s, s | CLOSED)) {
        if (s == 0) closeHandle();
        return;
      }
    }
  }

  /** Releases the OS handle. Called exactly once, when the file is closed and no request is in flight. */
  protected abstract void closeHandle();

  /** Counts one more request in flight; false if the file is closed. */
  final boolean acquire() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) return false;
      if (state.compareAndSet(s, s + 1)) return true;
    }
  }

  final void release() {
    if (state.decrementAndGet() == CLOSED) closeHandle();
  }

  final ClosedException closedException() {
    return new ClosedException("file " + path);
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
