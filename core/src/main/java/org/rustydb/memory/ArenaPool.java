package org.rustydb.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * Hands out {@link TransactionArena}s and keeps the chunks of finished ones for the next transaction of
 * the same profile (at most {@code maxIdlePerProfile} sets per profile; the rest are freed). A transaction
 * calls {@link #acquire} when it first needs working memory and {@link TransactionArena#close()} when it
 * commits or aborts (today: each B+tree structure change, through
 * {@code TransactionManager.acquireArena}).
 *
 * <p>As a {@link MemoryReclaimer} it frees idle chunk sets, largest profile first; memory of arenas in
 * use is never taken. {@link #close()} frees idle sets at once, and the chunks of arenas still in use when
 * they close (freeing them earlier could pull memory from under a live segment).
 *
 * <p>Thread-safe.
 */
public final class ArenaPool implements MemoryReclaimer, AutoCloseable {

  public static final int DEFAULT_MAX_IDLE_PER_PROFILE = 16;

  private final MemoryBudget budget;
  private final int maxIdlePerProfile;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<TransactionProfile, ArrayDeque<ArenaChunks>> idle = new EnumMap<>(TransactionProfile.class);
  private final AtomicLong heldBytes = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean closed;

  public ArenaPool(MemoryBudget budget) {
    this(budget, DEFAULT_MAX_IDLE_PER_PROFILE);
  }

  public ArenaPool(MemoryBudget budget, int maxIdlePerProfile) {
    if (budget == null) throw new IllegalArgumentException("budget is required");
    if (maxIdlePerProfile < 0) throw new IllegalArgumentException("maxIdlePerProfile < 0: " + maxIdlePerProfile);
    this.budget = budget;
    this.maxIdlePerProfile = maxIdlePerProfile;
    for (TransactionProfile p : TransactionProfile.values()) idle.put(p, new ArrayDeque<>());
  }

  /**
   * An arena for one transaction, with segments confined to the thread that allocates them (the cheap
   * reset). Reuses a finished transaction's chunks when there are some.
   *
   * @throws OperationFailedException when the budget cannot cover the profile's first chunk
   */
  public TransactionArena acquire(TransactionProfile profile) {
    return new TransactionArena(this, take(profile), false);
  }

  /** As {@link #acquire}, with segments usable from any thread; each reset costs a thread handshake. */
  public TransactionArena acquireShared(TransactionProfile profile) {
    return new TransactionArena(this, take(profile), true);
  }

  private ArenaChunks take(TransactionProfile profile) {
    if (profile == null) throw new IllegalArgumentException("profile is null");
    if (closed) throw new ClosedException("arena pool");
    ArenaChunks chunks;
    lock.lock();
    try {
      chunks = idle.get(profile).pollFirst();
    } finally {
      lock.unlock();
    }
    if (chunks == null) {
      chunks = new ArenaChunks(profile, budget, heldBytes);
      chunks.add(profile.initialBytes());
    }
    active.incrementAndGet();
    return chunks;
  }

  void giveBack(ArenaChunks chunks) {
    active.decrementAndGet();
    lock.lock();
    try {
      ArrayDeque<ArenaChunks> q = idle.get(chunks.profile);
      if (!closed && q.size() < maxIdlePerProfile) {
        q.addFirst(chunks);
        return;
      }
    } finally {
      lock.unlock();
    }
    chunks.dispose();
  }

  /** Frees idle chunk sets, largest profile first, until {@code bytesWanted} were released. */
  @Override
  public long reclaim(long bytesWanted, ReclaimUrgency urgency) {
    List<ArenaChunks> victims = new ArrayList<>();
    long released = 0;
    lock.lock();
    try {
      TransactionProfile[] profiles = TransactionProfile.values();
      for (int i = profiles.length - 1; i >= 0 && released < bytesWanted; i--) {
        ArrayDeque<ArenaChunks> q = idle.get(profiles[i]);
        while (!q.isEmpty() && released < bytesWanted) {
          ArenaChunks c = q.pollLast();
          released += c.heldBytes;
          victims.add(c);
        }
      }
    } finally {
      lock.unlock();
    }
    for (ArenaChunks c : victims) c.dispose();
    return released;
  }

  /** Arenas acquired and not yet closed. */
  public int activeArenas() {
    return active.get();
  }

  /** Chunk bytes held by all arenas, in use and idle. */
  public long heldBytes() {
    return heldBytes.get();
  }

  /** Idle chunk sets kept for reuse. */
  public int idleArenas() {
    lock.lock();
    try {
      int n = 0;
      for (ArrayDeque<ArenaChunks> q : idle.values()) n += q.size();
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Frees the idle chunk sets; arenas in use free theirs when they close. Idempotent. */
  @Override
  public void close() {
    closed = true;
    reclaim(Long.MAX_VALUE, ReclaimUrgency.EMERGENCY);
  }
}
