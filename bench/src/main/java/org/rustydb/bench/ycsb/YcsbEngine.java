package org.rustydb.bench.ycsb;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The engines {@code rustydb bench ycsb} can run, by command-line name. Adding an engine is one binding
 * class (a {@link KvBinding} subclass implementing {@code open}) and one constant here.
 */
public enum YcsbEngine {
  RUSTYDB("rustydb", RustyDbBinding::new),
  ROCKSDB("rocksdb", RocksDbBinding::new),
  JE("je", JeBinding::new),
  H2("h2", H2MvStoreBinding::new),
  LMDB("lmdb", LmdbBinding::new),
  SQLITE("sqlite", SqliteBinding::new);

  private final String cliName;
  private final Supplier<KvBinding> factory;

  YcsbEngine(String cliName, Supplier<KvBinding> factory) {
    this.cliName = cliName;
    this.factory = factory;
  }

  /** The name on the command line and in result rows. */
  public String cliName() {
    return cliName;
  }

  /** A new, uninitialized binding (one per client thread). */
  public KvBinding newBinding() {
    return factory.get();
  }

  /** Every engine's command-line name, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(YcsbEngine::cliName).toList();
  }

  /** The engine called {@code name} (any case). */
  public static YcsbEngine parse(String name) {
    for (YcsbEngine e : values()) {
      if (e.cliName.equals(name.toLowerCase(Locale.ROOT))) return e;
    }
    throw new IllegalArgumentException("unknown engine \"" + name + "\"; known: " + String.join(", ", names()));
  }
}
