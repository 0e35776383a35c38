package org.rustydb.wal;

/** The record type byte of the log format. Codes are stored on disk: never renumber one. */
public enum LogRecordType {
  BEGIN(1),
  COMMIT(2),
  ABORT(3),
  UPDATE(4),
  COMPENSATION(5),
  FULL_PAGE_IMAGE(6),
  CHECKPOINT_BEGIN(7),
  CHECKPOINT_END(8),
  SEGMENT_SWITCH(9);

  private static final LogRecordType[] BY_CODE = new LogRecordType[16];

  static {
    for (LogRecordType t : values()) BY_CODE[t.code] = t;
  }

  private final int code;

  LogRecordType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with this code, or null when the code is unknown. */
  public static LogRecordType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
