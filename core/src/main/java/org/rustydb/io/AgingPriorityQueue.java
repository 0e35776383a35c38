package org.rustydb.io;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The dispatch policy of {@link IoScheduler}: four FIFO queues, one per {@link IoPriority}, served by
 * priority with aging, so that low priority work cannot starve.
 *
 * <p>The spec serves strictly by priority, which under a sustained checkpoint (HIGH) load never runs a
 * prefetch (LOW). Here a request's effective level is its priority's ordinal minus one for every
 * {@code agingStep} dispatches it has waited, floored at 0 (CRITICAL). {@link #poll()} takes the queue
 * head with the lowest effective level; between equal levels the older request goes first. Time is
 * counted in dispatches, not nanoseconds, so behaviour is deterministic and testable.
 *
 * <p>Bound: a request at the head of its queue reaches level 0 after at most {@code 3 * agingStep}
 * dispatches; from then on only requests of level 0 that are older than it go first. With no queue
 * backlog (the common case) the order is exactly the spec's. Not thread-safe: {@link IoScheduler}
 * guards it.
 */
public final class AgingPriorityQueue<T> {

  private record Entry<T>(T item, long enqueuedAt, long seq) {}

  private final long agingStep;
  @SuppressWarnings({"unchecked", "rawtypes"})
  private final ArrayDeque<Entry<T>>[] queues = new ArrayDeque[IoPriority.values().length];
  private long tick;
  private long seq;
  private int size;

  /** @param agingStep dispatches waited per level of promotion; {@code Long.MAX_VALUE} is strict priority */
  public AgingPriorityQueue(long agingStep) {
    if (agingStep < 1) throw new IllegalArgumentException("agingStep must be positive: " + agingStep);
    this.agingStep = agingStep;
    for (int i = 0; i < queues.length; i++) queues[i] = new ArrayDeque<>();
  }

  public void add(IoPriority priority, T item) {
    Objects.requireNonNull(item, "item");
    queues[priority.ordinal()].addLast(new Entry<>(item, tick, seq++));
    size++;
  }

  /** The next item to dispatch, or null when empty. Each call counts as one dispatch for aging. */
  public T poll() {
    int best = -1;
    long bestLevel = Long.MAX_VALUE;
    long bestSeq = Long.MAX_VALUE;
    for (int p = 0; p < queues.length; p++) {
      Entry<T> head = queues[p].peekFirst();
      if (head == null) continue;
      long level = Math.max(0, p - (tick - head.enqueuedAt) / agingStep);
      if (level < bestLevel || (level == bestLevel && head.seq < bestSeq)) {
        best = p;
        bestLevel = level;
        bestSeq = head.seq;
      }
    }
    if (best < 0) return null;
    tick++;
    size--;
    return queues[best].pollFirst().item;
  }

  public int size() {
    return size;
  }

  public int size(IoPriority priority) {
    return queues[priority.ordinal()].size();
  }

  public boolean isEmpty() {
    return size == 0;
  }
}
