package org.rustydb.bench.ycsb;

import java.util.Locale;

/**
 * The durability class every engine is configured for in one run, so that no engine is measured with a
 * weaker promise than another.
 */
public enum YcsbDurability {
  /** Every write is logged (WAL or equivalent) before it returns, but nothing is fsynced per operation. */
  NOSYNC,
  /** Every write is fsynced (its commit is on stable storage) before it returns. */
  SYNC;

  /** The lower-case name used on the command line and in properties. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code nosync} or {@code sync} (any case). */
  public static YcsbDurability parse(String s) {
    for (YcsbDurability d : values()) {
      if (d.cliName().equals(s.toLowerCase(Locale.ROOT))) return d;
    }
    throw new IllegalArgumentException("unknown durability \"" + s + "\"; use nosync or sync");
  }
}
