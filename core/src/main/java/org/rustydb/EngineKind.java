package org.rustydb;

/**
 * The storage engine behind a table, chosen once in {@link TableOptions} when the table is created and
 * recorded in the catalog. The LSM, hash, columnar and tiered engines will join this list behind the same
 * {@link Table} interface.
 */
public enum EngineKind {
  /**
   * A B+tree of byte-array keys in unsigned byte order: point reads and writes in O(log n) page reads,
   * ordered range scans in both directions. The default, and the only engine a {@link Table} has today.
   */
  BTREE,
  /**
   * Rows in slotted pages addressed by record id (no keys). Reached through {@link Database#heapTable},
   * not through {@link Table}: {@link Database#createTable} refuses it.
   */
  HEAP;

  /** The lower-case name used in the catalog file and by the command-line tool. */
  public String catalogName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The engine named {@code s} (either case).
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static EngineKind parse(String s) {
    for (EngineKind k : values()) {
      if (k.name().equalsIgnoreCase(s)) return k;
    }
    throw new IllegalArgumentException("unknown engine " + s + " (known: btree, heap)");
  }
}
