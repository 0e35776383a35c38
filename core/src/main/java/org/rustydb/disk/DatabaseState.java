package org.rustydb.disk;

/** The database's state as the control file records it. */
public enum DatabaseState {
  /** Closed cleanly: every page and the log are synced; no recovery needed. */
  CLEAN_SHUTDOWN(1),
  /** Open (or crashed while open): recovery replays the log from the redo start LSN. */
  IN_PRODUCTION(2),
  /** Recovery was running (and may have crashed); running it again is safe. */
  IN_RECOVERY(3);

  private final int code;

  DatabaseState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The state with this on-disk code, or null. */
  public static DatabaseState fromCode(int code) {
    for (DatabaseState s : values()) if (s.code == code) return s;
    return null;
  }
}
