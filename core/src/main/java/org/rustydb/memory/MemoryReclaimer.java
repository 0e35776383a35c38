package org.rustydb.memory;

/**
 * Something that holds off-heap memory reserved from a {@link MemoryBudget} and can give some back on
 * request: the buffer pool (clean frames, or dirty ones after a flush at {@link ReclaimUrgency#EMERGENCY}),
 * the arena pool (idle chunks), the large-object allocator (wholly free mappings).
 *
 * <p>Called by the budget when an allocation would pass the limit, and by the {@link PressureForecaster}
 * wiring in {@link MemoryManager} when the forecast recommends eviction. Implementations must be
 * thread-safe, must release what they free through {@link MemoryBudget#release(long)} before returning,
 * and must not reserve memory from the budget or wait for a lock held while a thread allocates (the
 * allocating thread may be the caller).
 */
@FunctionalInterface
public interface MemoryReclaimer {

  /**
   * Releases up to about {@code bytesWanted} bytes (more is fine, less is fine) and returns how many bytes
   * it released from the budget.
   */
  long reclaim(long bytesWanted, ReclaimUrgency urgency);
}
