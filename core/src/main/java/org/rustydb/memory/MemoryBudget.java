package org.rustydb.memory;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.OperationFailedException;

/**
 * One limit on the off-heap memory of the whole engine: buffer-pool frames, LSM memtables, transaction
 * arenas, sort and hash buffers, large objects and slabs all reserve from it before they take memory and
 * release to it after they give memory back. Users of RocksDB from Java most often complain that memory
 * grows past its configured limits; here no allocator can take memory without a reservation, and a
 * reservation never makes {@link #used()} exceed {@link #limit()}.
 *
 * <h2>How a reservation works</h2>
 * {@link #reserve(long, String)} adds to the used count with a compare-and-set loop that refuses to pass the
 * limit, so the limit holds under any interleaving. When the limit would be passed, the reserving thread
 * asks the registered {@link MemoryReclaimer}s (in registration order: the engine's own caches first, then
 * the buffer pool) to release the shortfall at {@link ReclaimUrgency#AGGRESSIVE}, which releases only
 * clean memory (no I/O on the allocating thread), and tries again; if memory is still short it fails with
 * an {@link OperationFailedException} naming the limit, the amount in use and the purpose. Only one thread
 * runs the reclaimers at a time; a reclaimer that itself reserves memory does not recurse into reclaim.
 *
 * <p>Thread-safe. Reservations are plain byte counts: the budget does not know which allocator holds what,
 * the allocators report that in {@code MemoryStats}.
 */
public final class MemoryBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final CopyOnWriteArrayList<MemoryReclaimer> reclaimers = new CopyOnWriteArrayList<>();
  private final ReentrantLock reclaimLock = new ReentrantLock();
  /** Set while this thread runs reclaimers, so that a reservation made by a reclaimer does not recurse. */
  private final ThreadLocal<Boolean> reclaiming = ThreadLocal.withInitial(() -> Boolean.FALSE);

  public MemoryBudget(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("memory budget must be positive: " + limitBytes);
    }
    this.limit = limitBytes;
  }

  /** The limit in bytes. */
  public long limit() {
    return limit;
  }

  /** Bytes reserved now. */
  public long used() {
    return used.get();
  }

  /** Bytes that can still be reserved without reclaiming. */
  public long available() {
    return limit - used.get();
  }

  /** The highest {@link #used()} ever seen; never above {@link #limit()}. */
  public long peak() {
    return peak.get();
  }

  /** Used over limit, 0.0 to 1.0. */
  public double pressure() {
    return (double) used.get() / limit;
  }

  /**
   * Reserves {@code bytes}, asking the reclaimers for memory when the limit would be passed.
   *
   * @param purpose what the memory is for, named in the error ("slab region", "transaction arena chunk")
   * @throws OperationFailedException when the budget cannot cover it even after reclaiming
   */
  public void reserve(long bytes, String purpose) {
    checkAmount(bytes);
    if (tryReserve(bytes)) return;
    if (bytes > limit) {
      throw exceeded(bytes, purpose, 0);
    }
    long reclaimed = 0;
    if (!reclaiming.get()) {
      reclaimLock.lock();
      reclaiming.set(Boolean.TRUE);
      try {
        // Another thread may have reclaimed (or released) while this one waited for the lock.
        if (tryReserve(bytes)) return;
        long shortfall = bytes - available();
        reclaimed = reclaim(Math.max(shortfall, 0), ReclaimUrgency.AGGRESSIVE);
        if (tryReserve(bytes)) return;
      } finally {
        reclaiming.set(Boolean.FALSE);
        reclaimLock.unlock();
      }
    }
    throw exceeded(bytes, purpose, reclaimed);
  }

  /** Reserves {@code bytes} if that keeps the budget within its limit; never asks the reclaimers. */
  public boolean tryReserve(long bytes) {
    checkAmount(bytes);
    while (true) {
      long now = used.get();
      long next = now + bytes;
      if (next > limit || next < 0) return false;
      if (used.compareAndSet(now, next)) {
        peak.accumulateAndGet(next, Math::max);
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier. */
  public void release(long bytes) {
    checkAmount(bytes);
    long after = used.addAndGet(-bytes);
    if (after < 0) {
      used.addAndGet(bytes);
      throw new IllegalStateException(
          "memory budget released more than was reserved: " + bytes + " bytes with " + (after + bytes) + " in use");
    }
  }

  /**
   * Registers a reclaimer. Returns a handle whose {@code close()} unregisters it (a buffer pool closes it
   * when it closes).
   */
  public Registration addReclaimer(MemoryReclaimer reclaimer) {
    if (reclaimer == null) throw new IllegalArgumentException("reclaimer is null");
    reclaimers.add(reclaimer);
    return () -> reclaimers.remove(reclaimer);
  }

  /**
   * Asks the reclaimers, in registration order, for {@code bytesWanted} bytes at {@code urgency}, stopping
   * once that much was released. Returns the bytes released.
   */
  public long reclaim(long bytesWanted, ReclaimUrgency urgency) {
    long released = 0;
    for (MemoryReclaimer r : reclaimers) {
      if (released >= bytesWanted) break;
      long got = r.reclaim(bytesWanted - released, urgency);
      if (got > 0) released += got;
    }
    return released;
  }

  private OperationFailedException exceeded(long bytes, String purpose, long reclaimed) {
    long inUse = used.get();
    return new OperationFailedException(
        "memory budget of " + Sizes.format(limit) + " exceeded: " + purpose + " needs " + Sizes.format(bytes)
            + " with " + Sizes.format(inUse) + " in use (" + Sizes.format(limit - inUse) + " free"
            + (reclaimed > 0 ? ", " + Sizes.format(reclaimed) + " reclaimed" : ", nothing could be reclaimed")
            + ")");
  }

  private static void checkAmount(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("negative byte count: " + bytes);
  }

  /** Unregisters a reclaimer. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
