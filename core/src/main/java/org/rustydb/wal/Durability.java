package org.rustydb.wal;

/** How far a commit waits for its log record. */
public enum Durability {
  /** Returns only after the record is on stable storage (written and fdatasynced); group-committed. */
  SYNC,
  /**
   * Returns once the record is in the log buffer. The WAL writer thread writes and syncs it within
   * {@link WalOptions#noSyncFlushInterval()}: a crash may lose commits from that window, never part of one.
   */
  NO_SYNC
}
