package org.rustydb.buffer;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The replacement policies by name, as the buffer pool options and {@code rustydb cachesim} spell them.
 * {@value #DEFAULT} names the pool's default policy (also available under its own name).
 */
public final class ReplacerRegistry {

  /** The name that always means the pool's default policy. */
  public static final String DEFAULT = "default";

  /** The default policy's own name. */
  public static final String DEFAULT_POLICY = "dlirs";

  private static final Map<String, IntFunction<Replacer>> POLICIES = Map.of(
      "lru", LruReplacer::new,
      "clock", ClockReplacer::new,
      "arc", ArcReplacer::new,
      "earc", EnhancedArcReplacer::new,
      "lirs", LirsReplacer::new,
      "wtinylfu", WTinyLfuReplacer::new,
      "alirs", LirsReplacer::adaptive,
      "dlirs", DuelingLirsReplacer::new);

  /** Every name {@link #create} accepts, plus {@code opt}, which needs the trace ({@link #create(String, int, long[])}). */
  public static final List<String> NAMES = List.of("lru", "clock", "arc", "earc", "lirs", "alirs", "dlirs", "wtinylfu", "opt", DEFAULT);

  private ReplacerRegistry() {}

  /** Whether {@code name} (any case) names a policy. */
  public static boolean isKnown(String name) {
    return NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /** A new, empty policy called {@code name} for {@code capacity} pages. */
  public static Replacer create(String name, int capacity) {
    String key = name.toLowerCase(Locale.ROOT);
    if (key.equals("opt")) {
      throw new IllegalArgumentException("opt (Belady's MIN) needs the future: use create(name, capacity, trace)");
    }
    if (key.equals(DEFAULT)) key = DEFAULT_POLICY;
    IntFunction<Replacer> factory = POLICIES.get(key);
    if (factory == null) {
      throw new IllegalArgumentException("unknown replacement policy \"" + name + "\"; known: " + String.join(", ", NAMES));
    }
    return factory.apply(capacity);
  }

  /** As {@link #create(String, int)}, and {@code opt} for replaying exactly {@code trace}. */
  public static Replacer create(String name, int capacity, long[] trace) {
    return name.toLowerCase(Locale.ROOT).equals("opt") ? new OptReplacer(trace, capacity) : create(name, capacity);
  }
}
