package org.rustydb.bench.ycsb;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

/**
 * What every engine binding is opened with: its own data directory, the durability class, and the cache
 * memory budget in MiB (the same for every engine). Passed to YCSB bindings through their
 * {@link Properties} under the {@code rustydb.ycsb.*} keys.
 *
 * @param dir the engine's data directory (created if missing)
 * @param durability the durability class
 * @param cacheMb cache budget in MiB, positive
 * @param threads how many client threads will share the store (SQLite splits its budget over its per-thread
 *     connections)
 */
public record StoreSettings(Path dir, YcsbDurability durability, int cacheMb, int threads) {

  public static final String DIR = "rustydb.ycsb.dir";
  public static final String DURABILITY = "rustydb.ycsb.durability";
  public static final String CACHE_MB = "rustydb.ycsb.cachemb";
  /** YCSB's own thread-count property. */
  public static final String THREADS = "threadcount";

  public StoreSettings {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(durability, "durability");
    if (cacheMb <= 0) throw new IllegalArgumentException("cacheMb must be positive: " + cacheMb);
    if (threads <= 0) throw new IllegalArgumentException("threads must be positive: " + threads);
  }

  /** Cache budget in bytes. */
  public long cacheBytes() {
    return cacheMb * 1024L * 1024L;
  }

  /** Reads the settings from binding properties; {@link #DIR} is required. */
  public static StoreSettings from(Properties p) {
    String dir = p.getProperty(DIR);
    if (dir == null) throw new IllegalArgumentException("property " + DIR + " is required");
    return new StoreSettings(Path.of(dir),
        YcsbDurability.parse(p.getProperty(DURABILITY, "nosync")),
        Integer.parseInt(p.getProperty(CACHE_MB, "64")),
        Integer.parseInt(p.getProperty(THREADS, "1")));
  }

  /** Writes these settings into {@code p}. */
  public void putInto(Properties p) {
    p.setProperty(DIR, dir.toString());
    p.setProperty(DURABILITY, durability.cliName());
    p.setProperty(CACHE_MB, Integer.toString(cacheMb));
    p.setProperty(THREADS, Integer.toString(threads));
  }
}
