package org.rustydb.memory;

/** What the forecaster recommends; {@link MemoryManager} acts on it (see its class comment). */
public enum RecommendedAction {
  /** Keep watching. */
  MONITOR,
  /** Start gradual cleanup: release a moderate amount of clean memory. */
  GENTLE_EVICTION,
  /** Rapid memory release: a large amount of clean memory. */
  AGGRESSIVE_EVICTION,
  /** Immediate action: release dirty memory too, refuse new large allocations. */
  EMERGENCY_CLEANUP
}
