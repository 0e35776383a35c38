package org.rustydb.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 *   <li>{@link #tearNthWrite}: the machine dies in the middle of the Nth matching write: only its first
 *       sectors ({@value #SECTOR} bytes each) reach the file, the write fails, and from then on every
 *       request and open is refused. Unsynced writes before it stay (the page cache got them to disk in
 *       time); {@link #crash()} afterwards drops them too (it leaves the torn prefix alone).</li>
 *   <li>{@link #flipBitInNthRead}: the Nth matching read completes normally with one bit of what it read
 *       flipped, as a bad disk, cable or DMA would deliver it.</li>
 *   <li>{@link #failNthSync}: the Nth matching sync fails with {@code EIO} and, as Linux does after a
 *       writeback error, the file's writes since its last good sync are lost (put back to their old bytes
 *       here, as if the kernel had dropped the dirty pages and evicted them), while the next sync of the
 *       file succeeds. A caller that retries the sync and believes it is what fsyncgate was about.</li>
 * </ul>
 * To undo, each write's previous bytes are read (through a plain {@link FileChannel}, not the wrapped
 * engine, so that a submit from a completion callback never waits on the engine) before the write is
 * passed on. Meant for tests: it is correct but not fast.
 */
public final class FaultInjectingIoEngine implements IoEngine {

  /** Torn writes keep a whole number of these from their start, as disks write whole sectors. */
  public static final int SECTOR = 512;

  private record Undo(long seq, long offset, byte[] before, long sizeBefore) {}

  private final IoEngine delegate;
  private final Map<IoFile, List<Undo>> unsynced = new LinkedHashMap<>();
  private long seq;
  private Predicate<IoRequest> failWhich;
  private long failCountdown;
  private boolean crashed;
  private long injectedFailures;
  private Predicate<IoRequest> tearWhich;
  private long tearCountdown;
  private int tearKeep;
  private long tornWrites;
  private Predicate<IoRequest> flipWhich;
  private long flipCountdown;
  private long flipBit;
  private long flippedBits;
  private Predicate<IoRequest> syncFailWhich;
  private long syncFailCountdown;

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

  /**
   * The {@code n}th write from now (1 = the next) for which {@code which} is true is torn: its first
   * {@code keptBytes} bytes (a multiple of {@link #SECTOR}, at most the write's length; 0 keeps none) go to
   * the file, the write fails with a {@link ClosedException}, and the engine is crashed from then on: every
   * later request fails and {@link #open} throws. Requests already passed to the wrapped engine may still
   * complete, as writes in flight at a power cut may or may not land.
   */
  public synchronized void tearNthWrite(long n, Predicate<IoRequest> which, int keptBytes) {
    if (n < 1) throw new IllegalArgumentException("n must be at least 1: " + n);
    if (keptBytes < 0 || keptBytes % SECTOR != 0) {
      throw new IllegalArgumentException("keptBytes must be a non-negative multiple of " + SECTOR + ": " + keptBytes);
    }
    tearWhich = which;
    tearCountdown = n;
    tearKeep = keptBytes;
  }

  /** Writes torn by {@link #tearNthWrite} so far (0 or 1). */
  public synchronized long tornWrites() {
    return tornWrites;
  }

  /**
   * The {@code n}th read from now for which {@code which} is true gets bit {@code bit} of what it read
   * flipped (taken modulo the bits read; nothing is flipped when the read returns no bytes). The request
   * itself succeeds. One fault per call.
   */
  public synchronized void flipBitInNthRead(long n, Predicate<IoRequest> which, long bit) {
    if (n < 1) throw new IllegalArgumentException("n must be at least 1: " + n);
    if (bit < 0) throw new IllegalArgumentException("negative bit index: " + bit);
    flipWhich = which;
    flipCountdown = n;
    flipBit = bit;
  }

  /** Bits flipped by {@link #flipBitInNthRead} so far. */
  public synchronized long flippedBits() {
    return flippedBits;
  }

  /**
   * The {@code n}th sync from now for which {@code which} is true fails with a {@link SyncFailedException}
   * ({@code EIO}) and loses the file's writes since its last completed sync (their old bytes are put back,
   * the file is cut back to its size then); later syncs of the file succeed. One fault per call.
   */
  public synchronized void failNthSync(long n, Predicate<IoRequest> which) {
    if (n < 1) throw new IllegalArgumentException("n must be at least 1: " + n);
    syncFailWhich = which;
    syncFailCountdown = n;
  }

  /** Simulates power loss: drops unsynced writes, then refuses everything. */
  public synchronized void crash() {
    crashed = true;
    for (Map.Entry<IoFile, List<Undo>> e : unsynced.entrySet()) undo(e.getKey().path(), e.getValue());
    unsynced.clear();
  }

  /** Puts back the bytes {@code undos} replaced, newest first, and the file's size before the first. */
  private static void undo(Path path, List<Undo> undos) {
    if (undos.isEmpty()) return;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
      for (int i = undos.size() - 1; i >= 0; i--) {
        Undo u = undos.get(i);
        ByteBuffer b = ByteBuffer.wrap(u.before);
        long at = u.offset;
        while (b.hasRemaining()) at += ch.write(b, at);
      }
      ch.truncate(undos.getFirst().sizeBefore);
      ch.force(true);
    } catch (IOException ex) {
      throw new UncheckedIOException("undoing unsynced writes to " + path, ex);
    }
  }

  /** Writes the first {@code keep} bytes of {@code w} straight to its file: what reached the disk. */
  private static void writePrefix(IoRequest.Write w, long keep) {
    try (FileChannel ch = FileChannel.open(w.file().path(), StandardOpenOption.WRITE)) {
      long at = w.offset();
      long left = keep;
      for (MemorySegment b : w.buffers()) {
        if (left <= 0) break;
        ByteBuffer bb = b.asSlice(0, Math.min(left, b.byteSize())).asByteBuffer();
        left -= bb.remaining();
        while (bb.hasRemaining()) at += ch.write(bb, at);
      }
      ch.force(true);
    } catch (IOException ex) {
      throw new UncheckedIOException("writing the torn prefix of a write to " + w.file().path(), ex);
    }
  }

  private static void flip(MemorySegment buffer, long bit) {
    long at = bit / 8;
    byte v = buffer.get(ValueLayout.JAVA_BYTE, at);
    buffer.set(ValueLayout.JAVA_BYTE, at, (byte) (v ^ (1 << (bit % 8))));
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
    List<Long> flips = new ArrayList<>(); // per passed request: the bit to flip once it completes, or -1
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
        if (r instanceof IoRequest.Write w && tearWhich != null && tearWhich.test(r) && --tearCountdown == 0) {
          tearWhich = null;
          tornWrites++;
          if (r.file().isOpen()) writePrefix(w, Math.min(tearKeep, w.length()));
          crashed = true;
          f.completeExceptionally(new ClosedException("crashed " + name() + " I/O engine (torn write of "
              + w.file().path() + " at offset " + w.offset() + ": " + Math.min(tearKeep, w.length()) + " of "
              + w.length() + " bytes written)"));
          continue;
        }
        if (r instanceof IoRequest.Sync && syncFailWhich != null && syncFailWhich.test(r)
            && --syncFailCountdown == 0) {
          syncFailWhich = null;
          injectedFailures++;
          List<Undo> lost = unsynced.remove(r.file());
          if (lost != null) undo(r.file().path(), lost);
          f.completeExceptionally(injected(r));
          continue;
        }
        long flipAt = -1;
        if (r instanceof IoRequest.Read && flipWhich != null && flipWhich.test(r) && --flipCountdown == 0) {
          flipWhich = null;
          flipAt = flipBit;
        }
        flips.add(flipAt);
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
      long flipAt = flips.get(i);
      results.get(i).whenComplete((v, t) -> {
        if (t == null && r instanceof IoRequest.Sync) synced(r.file(), s);
        if (t == null && flipAt >= 0 && v > 0 && r instanceof IoRequest.Read rd) {
          flip(rd.buffer(), flipAt % (Math.min(v, rd.length()) * 8));
          synchronized (this) {
            flippedBits++;
          }
        }
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

  /** False: a mapped read would bypass the faults (and the crash's lost writes) this engine injects. */
  @Override
  public boolean allowsMappedReads() {
    return false;
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
