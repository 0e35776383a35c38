package org.rustydb.bench.ycsb;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code rustydb bench ycsb} runs: every engine on every workload, in that order.
 *
 * @param engines engines, in run order
 * @param workloads workload letters a-f, in run order
 * @param records records loaded before each run phase
 * @param operations measured operations of each run phase
 * @param warmup unmeasured operations before them (see {@link YcsbDriver#WARMUP})
 * @param threads client threads
 * @param durability durability class of every engine
 * @param cacheMb cache budget of every engine, MiB
 * @param dir parent of the per-run data directories (each run gets a fresh one inside)
 * @param keep keep the data directories after the runs
 * @param javaOptions extra options for the child JVMs (after the built-in ones)
 */
public record YcsbConfig(List<YcsbEngine> engines, List<String> workloads, long records, long operations,
    long warmup, int threads, YcsbDurability durability, int cacheMb, Path dir, boolean keep, List<String> javaOptions) {

  public YcsbConfig {
    engines = List.copyOf(engines);
    workloads = workloads.stream().map(YcsbWorkloads::parse).toList();
    javaOptions = List.copyOf(javaOptions);
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(dir, "dir");
    if (engines.isEmpty()) throw new IllegalArgumentException("no engine");
    if (workloads.isEmpty()) throw new IllegalArgumentException("no workload");
    if (records <= 0) throw new IllegalArgumentException("records must be positive: " + records);
    if (operations <= 0) throw new IllegalArgumentException("operations must be positive: " + operations);
    if (warmup < 0) throw new IllegalArgumentException("warm-up operations must not be negative: " + warmup);
    if (threads <= 0) throw new IllegalArgumentException("threads must be positive: " + threads);
    if (cacheMb <= 0) throw new IllegalArgumentException("cache-mb must be positive: " + cacheMb);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the command's defaults: all engines, all workloads, 1,000 records and operations, no warm-up. */
  public static final class Builder {
    private List<YcsbEngine> engines = List.of(YcsbEngine.values());
    private List<String> workloads = YcsbWorkloads.NAMES;
    private long records = 1000;
    private long operations = 1000;
    private long warmup;
    private int threads = 1;
    private YcsbDurability durability = YcsbDurability.NOSYNC;
    private int cacheMb = 64;
    private Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    private boolean keep;
    private List<String> javaOptions = List.of();

    public Builder engines(List<YcsbEngine> v) { engines = v; return this; }
    public Builder workloads(List<String> v) { workloads = v; return this; }
    public Builder records(long v) { records = v; return this; }
    public Builder operations(long v) { operations = v; return this; }
    public Builder warmup(long v) { warmup = v; return this; }
    public Builder threads(int v) { threads = v; return this; }
    public Builder durability(YcsbDurability v) { durability = v; return this; }
    public Builder cacheMb(int v) { cacheMb = v; return this; }
    public Builder dir(Path v) { dir = v; return this; }
    public Builder keep(boolean v) { keep = v; return this; }
    public Builder javaOptions(List<String> v) { javaOptions = v; return this; }

    public YcsbConfig build() {
      return new YcsbConfig(engines, workloads, records, operations, warmup, threads, durability, cacheMb, dir, keep,
          javaOptions);
    }
  }
}
