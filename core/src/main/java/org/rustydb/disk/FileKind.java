package org.rustydb.disk;

/** Where a page file lives and how it is synced. */
public enum FileKind {
  /** A table or index file under {@code base/}: synced by {@code sync} (at checkpoints) and on close. */
  DATA(1),
  /** A scratch file under {@code temp/}: never synced, deleted on close and when the directory opens. */
  TEMP(2);

  private final int code;

  FileKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The kind with this on-disk code, or null. */
  public static FileKind fromCode(int code) {
    for (FileKind k : values()) if (k.code == code) return k;
    return null;
  }
}
