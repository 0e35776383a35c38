package org.rustydb.memory;

/** The direction of memory usage, from the slope of the forecaster's regression (per sample). */
public enum MemoryTrend {
  /** Usage falls by more than 0.5 percentage points per sample. */
  DECREASING,
  /** Usage moves by at most 0.5 percentage points per sample. */
  STABLE,
  /** Usage grows by 0.5 to 2 percentage points per sample. */
  INCREASING,
  /** Usage grows by more than 2 percentage points per sample. */
  CRITICAL
}
