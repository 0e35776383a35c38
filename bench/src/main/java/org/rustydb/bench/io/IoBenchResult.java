package org.rustydb.bench.io;

/** What one {@link IoBenchConfig} run measured. Latencies are per request, submission to completion. */
public record IoBenchResult(
    IoBenchConfig config, long operations, double seconds, double iops, double mibPerSecond, double p50Micros,
    double p99Micros) {

  public static final String CSV_HEADER = "engine,pattern,block,depth,iops,mib_per_s,p50_us,p99_us";

  public String csvLine() {
    return String.join(",", config.engineName(), config.pattern().cliName(), blockName(config.blockSize()),
        Integer.toString(config.depth()), String.format(java.util.Locale.ROOT, "%.0f", iops),
        String.format(java.util.Locale.ROOT, "%.1f", mibPerSecond),
        String.format(java.util.Locale.ROOT, "%.1f", p50Micros),
        String.format(java.util.Locale.ROOT, "%.1f", p99Micros));
  }

  /** 4096 -> "4k", 1048576 -> "1m". */
  public static String blockName(long bytes) {
    if (bytes % (1 << 20) == 0) return bytes / (1 << 20) + "m";
    if (bytes % 1024 == 0) return bytes / 1024 + "k";
    return Long.toString(bytes);
  }
}
