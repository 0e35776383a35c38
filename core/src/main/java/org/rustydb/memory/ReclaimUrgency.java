package org.rustydb.memory;

/**
 * How hard a {@link MemoryReclaimer} is asked to work. The first two levels release only memory whose
 * contents can be dropped or rebuilt without I/O (clean buffer-pool frames, idle arena chunks, unused
 * mappings); the last also writes dirty data out so that its memory can be released.
 */
public enum ReclaimUrgency {
  /** Forecast says usage is climbing toward the limit: release a moderate amount of clean memory. */
  GENTLE,
  /** Usage is high, an allocation is short, or the limit is near: release a large amount of clean memory. */
  AGGRESSIVE,
  /** Usage is at or about to reach the critical level: release what you can, flushing dirty data if needed. */
  EMERGENCY
}
