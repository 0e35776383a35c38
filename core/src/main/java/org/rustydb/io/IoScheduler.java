package org.rustydb.io;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Prioritised admission in front of an {@link IoEngine}: at most {@code maxInFlight} requests are in the
 * engine at a time; the rest wait in an {@link AgingPriorityQueue} and are dispatched, one per completion,
 * WAL first, then checkpoint, user and background work, with aging so background work still progresses
 * under a saturating load. Below {@code maxInFlight} a request goes straight to the engine, so the
 * scheduler costs nothing until the device is saturated, which is when priorities matter.
 *
 * <p>Callers reach it through {@link #lane(IoPriority)}: an {@link IoEngine} whose requests all carry one
 * priority, so a subsystem written against {@code IoEngine} (the WAL, the disk manager, the checkpointer,
 * the prefetcher) is handed its lane instead of the raw engine and needs no other change. The spec's
 * mapping: WAL writes and syncs {@link IoPriority#CRITICAL}, checkpoint writes {@link IoPriority#HIGH},
 * user reads (buffer pool misses) {@link IoPriority#NORMAL}, prefetch and other background work
 * {@link IoPriority#LOW}.
 *
 * <p>Code that cannot be handed a lane, because the I/O is issued several layers down (a checkpoint's page
 * writes go through the buffer pool and the disk manager), runs in a priority scope instead:
 * {@link #runAt}{@code (HIGH, action)} makes every request that {@code action} submits through a
 * {@link #contextLane} carry HIGH. The scope is a {@link ScopedValue}: bound for the calling thread and
 * that call only, never leaking into other threads or later work.
 *
 * <p>Syncs keep the engine's ordering rule across priorities: a {@link IoRequest.Sync} enters the queue
 * only when every write to the same file accepted by the scheduler before it has completed, so a
 * CRITICAL fsync cannot overtake a queued LOW write it is meant to cover.
 *
 * <p><b>CRITICAL on the caller's thread.</b> {@link #execute} (a lane's {@link IoEngine#execute}) of a
 * CRITICAL request does not queue: it would be dispatched before anything waiting anyway, and a caller
 * who waits for it at once (the WAL's commit path) is better served by the engine running it inline, with
 * no hand-off to an engine thread and back ({@link IoEngine#execute}). The ordering rule holds: a sync
 * runs inline only while no write of its file accepted before it is pending here (queued, waiting or in
 * the engine), else it takes the queued path above; a write run inline is listed as pending while it runs,
 * so a sync that comes meanwhile waits for it. Reads and writes above LOW run inline too: their callers (a
 * buffer pool miss, an eviction's write-back) wait for them at once, and the pool never has two requests
 * of one page out. Inline requests take no dispatch slot: the device may see {@code maxInFlight} plus the
 * requests running inline (one per thread that runs one).
 *
 * <p>Thread-safe. The lock guards only the queue and the in-flight count; engine calls happen outside it.
 */
public final class IoScheduler {

  private record Pending(IoPriority priority, IoRequest request, CompletableFuture<Long> result) {}

  private final IoEngine engine;
  private final int maxInFlight;
  private final ReentrantLock lock = new ReentrantLock();
  private final AgingPriorityQueue<Pending> queue;
  private int inFlight;
  private final ThreadLocal<ArrayDeque<Pending>> starting = new ThreadLocal<>();
  private final AtomicLongArray dispatched = new AtomicLongArray(IoPriority.values().length);
  private final EnumMap<IoPriority, IoEngine> lanes = new EnumMap<>(IoPriority.class);
  private final EnumMap<IoPriority, IoEngine> contextLanes = new EnumMap<>(IoPriority.class);
  /** The priority bound by {@link #runAt}. */
  private static final ScopedValue<IoPriority> SCOPE = ScopedValue.newInstance();
  /** The priority of the request being handed to the engine, while it is ({@link #dispatchPriority()}). */
  private static final ScopedValue<IoPriority> DISPATCHING = ScopedValue.newInstance();

  /**
   * @param maxInFlight requests allowed in the engine at once (the device's useful queue depth)
   * @param agingStep dispatches a waiting request needs to rise one priority level
   */
  public IoScheduler(IoEngine engine, int maxInFlight, long agingStep) {
    if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    this.engine = engine;
    this.maxInFlight = maxInFlight;
    this.queue = new AgingPriorityQueue<>(agingStep);
    for (IoPriority p : IoPriority.values()) {
      lanes.put(p, new PriorityLane(this, p, false));
      contextLanes.put(p, new PriorityLane(this, p, true));
    }
  }

  public IoEngine engine() {
    return engine;
  }

  /**
   * The engine as seen by callers of one priority: its {@code submit} goes through this scheduler at
   * {@code priority}; everything else is the engine's. Closing a lane does not close the engine.
   */
  public IoEngine lane(IoPriority priority) {
    return lanes.get(priority);
  }

  /**
   * The engine as seen by code whose priority depends on who calls it (the disk manager): each request
   * goes through this scheduler at the priority {@link #runAt} bound for the submitting thread, else at
   * {@code otherwise}.
   */
  public IoEngine contextLane(IoPriority otherwise) {
    return contextLanes.get(otherwise);
  }

  /**
   * Runs {@code action} with the calling thread's requests through any {@link #contextLane} at
   * {@code priority} (for that call only; nested scopes win).
   */
  public static void runAt(IoPriority priority, Runnable action) {
    ScopedValue.where(SCOPE, java.util.Objects.requireNonNull(priority, "priority")).run(action);
  }

  /** The priority {@link #runAt} bound for the calling thread, or {@code otherwise} outside any scope. */
  public static IoPriority scopedPriority(IoPriority otherwise) {
    return SCOPE.orElse(otherwise);
  }

  /**
   * While a scheduler hands a request to its engine (inside the engine's {@code submit}, on whatever thread
   * dispatches it): that request's priority; null at any other time. For engines and decorators that
   * account I/O by priority; tests check the priority mapping with it.
   */
  public static IoPriority dispatchPriority() {
    return DISPATCHING.isBound() ? DISPATCHING.get() : null;
  }

  /** Queues or dispatches {@code request}; the future is the engine's result for it. */
  public CompletableFuture<Long> submit(IoPriority priority, IoRequest request) {
    Pending p = new Pending(priority, request, new CompletableFuture<>());
    switch (request) {
      case IoRequest.Write w -> trackWrite(w, p.result);
      case IoRequest.Sync sync -> {
        // Writes accepted before this sync and not yet completed (IoFile.scheduledWrites).
        CompletableFuture<?>[] prior = sync.file().scheduledWrites.toArray(CompletableFuture<?>[]::new);
        if (prior.length > 0) {
          CompletableFuture.allOf(prior).whenComplete((v, t) -> admit(p));
          return p.result;
        }
      }
      case IoRequest.Read r -> { }
    }
    admit(p);
    return p.result;
  }

  /**
   * As {@link #submit(IoPriority, IoRequest)}, but a CRITICAL request that has no earlier write to wait for
   * (see the class comment) runs on the calling thread through the engine's {@link IoEngine#execute}: the
   * future is then complete when this returns. So does a read or a write above LOW: its caller waits for
   * it, which is more urgent than anything queued, and it must follow no other request (the buffer pool
   * never reads a page whose write is still out, and never has two writes of one page out at once: a page
   * being flushed is not evicted, see {@code DirtyPageWriter}). So does a LOW write to a file in the OS
   * cache (not {@link FileOpenOptions#direct}): a copy into memory that waits for no device, so nothing
   * queued for the device is delayed by it, while through the ring it cost a hand-off to the ring thread and,
   * since io_uring hands buffered writes to its own worker threads, another (the dirty-page flusher's
   * writes, YCSB with the data 4x the pool: more CPU than the clients' own write-backs of the same pages).
   * Other LOW requests and syncs with earlier writes out are submitted: running them inline would let them
   * overtake queued requests of higher priority, or the writes they must cover.
   */
  public CompletableFuture<Long> execute(IoPriority priority, IoRequest request) {
    boolean waitedFor = !(request instanceof IoRequest.Sync)
        && (priority != IoPriority.LOW || (request instanceof IoRequest.Write && !request.file().options().direct()));
    if (priority != IoPriority.CRITICAL && !waitedFor) return submit(priority, request);
    Set<CompletableFuture<Long>> pending = request.file().scheduledWrites;
    if (request instanceof IoRequest.Sync && !pending.isEmpty()) {
      return submit(priority, request); // orders after those writes
    }
    CompletableFuture<Long> result = new CompletableFuture<>();
    boolean write = request instanceof IoRequest.Write;
    if (write) pending.add(result); // listed before it starts: a sync that comes meanwhile waits for it
    dispatched.incrementAndGet(priority.ordinal());
    CompletableFuture<Long> f;
    try {
      f = ScopedValue.where(DISPATCHING, priority).call(() -> engine.execute(request));
    } catch (RuntimeException e) { // a closed engine may refuse outright
      f = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Long> started = f;
    Set<CompletableFuture<Long>> listed = write ? pending : null;
    if (started.isDone()) {
      settle(started, result, listed); // ran inline: no callback to chain
    } else {
      started.whenComplete((v, t) -> settle(started, result, listed));
    }
    return result;
  }

  /** Completes {@code result} as {@code done} completed, after taking it off {@code pending} (if a write). */
  private static void settle(CompletableFuture<Long> done, CompletableFuture<Long> result, Set<CompletableFuture<Long>> pending) {
    if (pending != null) pending.remove(result);
    try {
      result.complete(done.join());
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
    }
  }

  /** Lists a write as pending for its file until {@code result} completes (a later sync waits for it). */
  private static void trackWrite(IoRequest.Write w, CompletableFuture<Long> result) {
    Set<CompletableFuture<Long>> pending = w.file().scheduledWrites;
    pending.add(result);
    result.whenComplete((v, t) -> pending.remove(result));
  }

  private void admit(Pending p) {
    boolean now;
    lock.lock();
    try {
      now = inFlight < maxInFlight && queue.isEmpty();
      if (now) {
        inFlight++;
      } else {
        queue.add(p.priority(), p);
      }
    } finally {
      lock.unlock();
    }
    if (now) start(p);
  }

  /** Submits each request at {@code priority}; futures in order. */
  public List<CompletableFuture<Long>> submit(IoPriority priority, List<? extends IoRequest> requests) {
    return requests.stream().map(r -> submit(priority, r)).toList();
  }

  /**
   * Hands {@code p} to the engine. A future that completes at once (a refused request) would start the
   * next one from inside this call, and so on down the queue; a per-thread trampoline turns that recursion
   * into a loop.
   */
  private void start(Pending p) {
    ArrayDeque<Pending> pendingStarts = starting.get();
    if (pendingStarts != null) {
      pendingStarts.add(p);
      return;
    }
    pendingStarts = new ArrayDeque<>();
    starting.set(pendingStarts);
    try {
      pendingStarts.add(p);
      for (Pending next; (next = pendingStarts.poll()) != null; ) startOne(next);
    } finally {
      starting.remove();
    }
  }

  private void startOne(Pending p) {
    dispatched.incrementAndGet(p.priority.ordinal());
    CompletableFuture<Long> f;
    try {
      f = ScopedValue.where(DISPATCHING, p.priority).call(() -> engine.submit(p.request));
    } catch (RuntimeException e) { // a closed engine may refuse outright: the request fails, the queue goes on
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((v, t) -> {
      // The result first: a sync waiting for this write is admitted before the freed slot is handed on.
      try {
        if (t != null) {
          p.result.completeExceptionally(t);
        } else {
          p.result.complete(v);
        }
      } finally {
        startNext();
      }
    });
  }

  private void startNext() {
    Pending next;
    lock.lock();
    try {
      next = queue.poll();
      if (next == null) inFlight--;
    } finally {
      lock.unlock();
    }
    if (next != null) start(next);
  }

  /** Requests waiting for a dispatch slot. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Requests handed to the engine so far at {@code priority}. */
  public long dispatched(IoPriority priority) {
    return dispatched.get(priority.ordinal());
  }
}
