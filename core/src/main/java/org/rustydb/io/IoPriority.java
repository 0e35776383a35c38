package org.rustydb.io;

/** The spec's four I/O priorities, most urgent first. */
public enum IoPriority {
  /** WAL writes and syncs: commits wait on them. */
  CRITICAL,
  /** Checkpoint writes. */
  HIGH,
  /** User queries' reads. */
  NORMAL,
  /** Background work: prefetching, compaction, tier migration. */
  LOW
}
