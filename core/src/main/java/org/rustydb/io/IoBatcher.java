package org.rustydb.io;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Collects page writes (from the dirty-page flusher or a checkpoint), then issues them sorted by file and
 * position with adjacent pages merged into one vectored write: the spec's "Request Batching and
 * Reordering". Eight dirty neighbours become one {@code writev} (one ring entry) instead of eight.
 *
 * <p>Rules: writes to the same file and offset keep the last one added (the earlier futures complete with
 * it); a write overlapping another one only partly is refused (the order between them would be lost);
 * a merged write holds at most {@code maxBuffers} buffers (the engine's {@link IoEngine#maxIovecs()}) and
 * {@code maxBytes} bytes. Each added page's future completes with its own length when the merged write
 * carrying it completes, or fails with that write's error.
 *
 * <p>Thread-safe (synchronized); meant for one flusher at a time.
 */
public final class IoBatcher {

  private record Page(IoFile file, long offset, MemorySegment buffer, long seq, List<CompletableFuture<Long>> waiters) {
    long end() {
      return offset + buffer.byteSize();
    }
  }

  /** A write the batcher will issue, with the page futures it settles. */
  public record Planned(IoRequest.Write write, List<List<CompletableFuture<Long>>> pageWaiters,
      List<Long> pageLengths) {}

  private final int maxBuffers;
  private final long maxBytes;
  private final List<Page> pending = new ArrayList<>();
  private long seq;
  private long requested;
  private long issued;

  public IoBatcher(int maxBuffers, long maxBytes) {
    if (maxBuffers < 1) throw new IllegalArgumentException("maxBuffers must be positive: " + maxBuffers);
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    this.maxBuffers = maxBuffers;
    this.maxBytes = maxBytes;
  }

  /** A batcher sized for {@code engine}: its iovec limit and 1 MiB per merged write. */
  public static IoBatcher forEngine(IoEngine engine) {
    return new IoBatcher(engine.maxIovecs(), 1 << 20);
  }

  /** Adds a write; the future completes when the write that carries it does. */
  public synchronized CompletableFuture<Long> add(IoFile file, long offset, MemorySegment buffer) {
    new IoRequest.Write(file, offset, buffer); // the same argument checks as a direct write
    CompletableFuture<Long> f = new CompletableFuture<>();
    long end = offset + buffer.byteSize();
    for (int i = 0; i < pending.size(); i++) {
      Page p = pending.get(i);
      if (p.file != file || p.end() <= offset || end <= p.offset) continue;
      if (p.offset == offset && p.buffer.byteSize() == buffer.byteSize()) {
        List<CompletableFuture<Long>> waiters = new ArrayList<>(p.waiters);
        waiters.add(f);
        pending.set(i, new Page(file, offset, buffer, seq++, waiters)); // the later write wins
        requested++;
        return f;
      }
      throw new IllegalArgumentException("write at " + offset + " overlaps a pending write at " + p.offset
          + " of " + file + " only partly; flush first");
    }
    pending.add(new Page(file, offset, buffer, seq++, new ArrayList<>(List.of(f))));
    requested++;
    return f;
  }

  public synchronized int pendingPages() {
    return pending.size();
  }

  /** The merged writes the pending pages make, in file and offset order; clears nothing. */
  public synchronized List<Planned> plan() {
    List<Page> sorted = new ArrayList<>(pending);
    sorted.sort(Comparator.comparingLong((Page p) -> p.file.id()).thenComparingLong(Page::offset));
    List<Planned> out = new ArrayList<>();
    int i = 0;
    while (i < sorted.size()) {
      Page first = sorted.get(i);
      List<MemorySegment> bufs = new ArrayList<>();
      List<List<CompletableFuture<Long>>> waiters = new ArrayList<>();
      List<Long> lengths = new ArrayList<>();
      long bytes = 0;
      long next = first.offset;
      while (i < sorted.size()) {
        Page p = sorted.get(i);
        boolean fits = p.file == first.file && p.offset == next && bufs.size() < maxBuffers
            && bytes + p.buffer.byteSize() <= Math.max(maxBytes, first.buffer.byteSize());
        if (!fits) break;
        bufs.add(p.buffer);
        waiters.add(p.waiters);
        lengths.add(p.buffer.byteSize());
        bytes += p.buffer.byteSize();
        next = p.end();
        i++;
      }
      out.add(new Planned(new IoRequest.Write(first.file, first.offset, bufs), waiters, lengths));
    }
    return out;
  }

  /**
   * Issues every pending page as merged writes, in one {@link IoEngine#submit} batch, and clears the
   * batch. Returns the futures of the merged writes.
   */
  public List<CompletableFuture<Long>> flush(IoEngine engine) {
    List<Planned> plan;
    synchronized (this) {
      plan = plan();
      pending.clear();
      issued += plan.size();
    }
    List<CompletableFuture<Long>> results = engine.submit(plan.stream().map(Planned::write).toList());
    for (int k = 0; k < plan.size(); k++) {
      Planned p = plan.get(k);
      results.get(k).whenComplete((v, t) -> {
        for (int j = 0; j < p.pageWaiters().size(); j++) {
          for (CompletableFuture<Long> w : p.pageWaiters().get(j)) {
            if (t != null) w.completeExceptionally(t);
            else w.complete(p.pageLengths().get(j));
          }
        }
      });
    }
    return results;
  }

  /** Page writes added so far. */
  public synchronized long writesRequested() {
    return requested;
  }

  /** Write requests issued so far by {@link #flush}. */
  public synchronized long writesIssued() {
    return issued;
  }

  /** Write operations saved by merging and de-duplication: requested minus issued (pending excluded). */
  public synchronized long writesSaved() {
    long pendingWrites = 0;
    for (Page p : pending) pendingWrites += p.waiters.size();
    return requested - pendingWrites - issued;
  }
}
