package org.rustydb.bench.ycsb;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** YCSB's standard core workloads A-F, kept as resources under {@code /workloads/workloada} ... {@code f}. */
public final class YcsbWorkloads {

  /** The workload letters, in order. */
  public static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f");

  private YcsbWorkloads() {}

  /** Normalizes {@code a}, {@code A} or {@code workloada} to {@code a}; rejects anything else. */
  public static String parse(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("workload")) n = n.substring("workload".length());
    if (!NAMES.contains(n)) {
      throw new IllegalArgumentException("unknown workload \"" + name + "\"; known: " + String.join(", ", NAMES));
    }
    return n;
  }

  /** The properties of workload {@code letter} as shipped by YCSB. */
  public static Properties load(String letter) {
    String res = "/workloads/workload" + parse(letter);
    Properties p = new Properties();
    try (InputStream in = YcsbWorkloads.class.getResourceAsStream(res)) {
      if (in == null) throw new IllegalStateException("workload resource " + res + " missing from the class path");
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read workload resource " + res + ": " + e.getMessage(), e);
    }
    return p;
  }
}
