package org.rustydb.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.rustydb.ClosedException;

/**
 * An {@link IoEngine} wrapper for crash and fault tests (DESIGN.md: fault injection goes through the
 * engine), in the spirit of Lucene's crash-simulating directory:
 * <ul>
 *   <li>{@link #failNth}: the Nth request matching a predicate fails with {@code EIO}, as a device error
 *       would, without reaching the disk; other requests go on.</li>
 *   <li>{@link #crash()}: everything written since each file's last completed sync is undone (the bytes
 *       before the write are put back, a file grown since is cut back), then every request and open is
 *       refused, as after power loss. Synced data survives.</li>
 * </ul>
 * To undo, each write's previous bytes are read (through a plain {@link FileChannel}, not the wrapped
 * engine, so that a submit from a completion callback never waits on the engine) before the write is
 * passed on. Meant for tests: it is correct but not fast.
 */
public final class FaultInjectingIoEngine implements IoEngine {

  private record Undo(long seq, long offset, byte[] before, long sizeBefore) {}

  private final IoEngine delegate;
  private final Map<IoFile, List<Undo>> unsynced = new LinkedHashMap<>();
  private long seq;
  private Predicate<IoRequest> failWhich;
  private long failCountdown;
  private boolean crashed;
  private long injectedFailures;

  public FaultInjectingIoEngine(IoEngine delegate) {
    this.delegate = delegate;
  }

  /**
   * The {@code n}th request from now (1 = the next) for which {@code which} is true fails with an
   * {@link IoFailedException} ({@code EIO}); one fault per call. Example:
   * {@code failNth(3, r -> r instanceof IoRequest.Write)}.
   */
  public synchronized void failNth(long n, Predicate<IoRequest> which) {
    if (n < 1) throw new IllegalArgumentException("n must be at least 1: " + n);
    failWhich = which;
    failCountdown = n;
  }

  /** Requests failed by {@link #failNth} so far. */
  public synchronized long injectedFailures() {
    return injectedFailures;
  }

  /** Simulates power loss: drops unsynced writes, then refuses everything. */
  public synchronized void crash() {
    crashed = true;
    for (Map.Entry<IoFile, List<Undo>> e : unsynced.entrySet()) {
      List<Undo> undos = e.getValue();
      if (undos.isEmpty()) continue;
      try (FileChannel ch = FileChannel.open(e.getKey().path(), StandardOpenOption.WRITE)) {
        for (int i = undos.size() - 1; i >= 0; i--) {
          Undo u = undos.get(i);
          ByteBuffer b = ByteBuffer.wrap(u.before);
          long at = u.offset;
          while (b.hasRemaining()) at += ch.write(b, at);
        }
        ch.truncate(undos.getFirst().sizeBefore);
        ch.force(true);
      } catch (IOException ex) {
        throw new UncheckedIOException("undoing unsynced writes to " + e.getKey().path(), ex);
      }
    }
    unsynced.clear();
  }

  public synchronized boolean isCrashed() {
    return crashed;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public IoFile open(Path path, FileOpenOptions options) {
    synchronized (this) {
      if (crashed) throw new ClosedException("crashed " + name() + " I/O engine");
    }
    return delegate.open(path, options);
  }

  @Override
  public List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests) {
    List<CompletableFuture<Long>> out = new ArrayList<>(requests.size());
    List<IoRequest> pass = new ArrayList<>();
    List<Integer> passAt = new ArrayList<>();
    List<Long> syncSeqs = new ArrayList<>();
    synchronized (this) {
      for (IoRequest r : requests) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        out.add(f);
        if (crashed) {
          f.completeExceptionally(new ClosedException("crashed " + name() + " I/O engine"));
          continue;
        }
        if (failWhich != null && failWhich.test(r) && --failCountdown == 0) {
          failWhich = null;
          injectedFailures++;
          f.completeExceptionally(injected(r));
          continue;
        }
        if (r instanceof IoRequest.Write w && r.file().isOpen()) recordUndo(w);
        syncSeqs.add(seq++);
        pass.add(r);
        passAt.add(out.size() - 1);
      }
    }
    List<CompletableFuture<Long>> results = pass.isEmpty() ? List.of() : delegate.submit(pass);
    for (int i = 0; i < results.size(); i++) {
      CompletableFuture<Long> target = out.get(passAt.get(i));
      IoRequest r = pass.get(i);
      long s = syncSeqs.get(i);
      results.get(i).whenComplete((v, t) -> {
        if (t == null && r instanceof IoRequest.Sync) synced(r.file(), s);
        if (t != null) target.completeExceptionally(t);
        else target.complete(v);
      });
    }
    return out;
  }

  private static RuntimeException injected(IoRequest r) {
    return switch (r) {
      case IoRequest.Read rd -> new IoFailedException("read", r.file().path(), rd.offset(), rd.length(), Errno.EIO);
      case IoRequest.Write w -> new IoFailedException("write", r.file().path(), w.offset(), w.length(), Errno.EIO);
      case IoRequest.Sync s -> new SyncFailedException(s.dataOnly() ? "fdatasync" : "fsync", r.file().path(), Errno.EIO);
    };
  }

  private void recordUndo(IoRequest.Write w) {
    try (FileChannel ch = FileChannel.open(w.file().path(), StandardOpenOption.READ)) {
      long size = ch.size();
      int len = (int) Math.max(0, Math.min(w.length(), size - w.offset()));
      byte[] before = new byte[len];
      ByteBuffer b = ByteBuffer.wrap(before);
      while (b.hasRemaining()) {
        if (ch.read(b, w.offset() + b.position()) < 0) break;
      }
      unsynced.computeIfAbsent(w.file(), k -> new ArrayList<>()).add(new Undo(seq, w.offset(), before, size));
    } catch (IOException e) {
      throw new UncheckedIOException("reading what a write to " + w.file().path() + " replaces", e);
    }
  }

  /** A sync completed: writes submitted before it are durable and can no longer be lost. */
  private synchronized void synced(IoFile file, long syncSeq) {
    List<Undo> undos = unsynced.get(file);
    if (undos != null) undos.removeIf(u -> u.seq < syncSeq);
  }

  @Override
  public boolean registerBuffers(MemorySegment region) {
    return delegate.registerBuffers(region);
  }

  @Override
  public void unregisterBuffers() {
    delegate.unregisterBuffers();
  }

  @Override
  public int maxIovecs() {
    return delegate.maxIovecs();
  }

  @Override
  public IoMetrics metrics() {
    return delegate.metrics();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
