package org.rustydb.io;

import java.util.ArrayDeque;
import java.util.List;
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

  /**
   * @param maxInFlight requests allowed in the engine at once (the device's useful queue depth)
   * @param agingStep dispatches a waiting request needs to rise one priority level
   */
  public IoScheduler(IoEngine engine, int maxInFlight, long agingStep) {
    if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    this.engine = engine;
    this.maxInFlight = maxInFlight;
    this.queue = new AgingPriorityQueue<>(agingStep);
  }

  public IoEngine engine() {
    return engine;
  }

  /** Queues or dispatches {@code request}; the future is the engine's result for it. */
  public CompletableFuture<Long> submit(IoPriority priority, IoRequest request) {
    Pending p = new Pending(priority, request, new CompletableFuture<>());
    boolean now;
    lock.lock();
    try {
      now = inFlight < maxInFlight && queue.isEmpty();
      if (now) {
        inFlight++;
      } else {
        queue.add(priority, p);
      }
    } finally {
      lock.unlock();
    }
    if (now) start(p);
    return p.result;
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
    engine.submit(p.request).whenComplete((v, t) -> {
      startNext();
      if (t != null) {
        p.result.completeExceptionally(t);
      } else {
        p.result.complete(v);
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
