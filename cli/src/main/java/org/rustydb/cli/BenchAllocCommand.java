package org.rustydb.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rustydb.bench.memory.AllocBenchmark;
import org.rustydb.bench.memory.AllocBenchmark.Row;
import org.rustydb.bench.memory.AllocBenchmark.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rustydb bench alloc}: RustyDB's allocators next to malloc, JDK arenas and direct buffers. */
@Command(
    name = "alloc",
    mixinStandardHelpOptions = true,
    description = {
      "Measure allocate+free pairs: the slab allocator per size class, transaction arena allocation and",
      "reset, and the large-object allocator, next to malloc/free through FFM, Arena.ofConfined() and",
      "ByteBuffer.allocateDirect, in one run on one thread (median of several timed iterations)."
    })
public final class BenchAllocCommand implements Callable<Integer> {

  enum Format { table, csv }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--format", defaultValue = "table", description = "table or csv (header: allocator,size,ns_per_op)")
  Format format;

  @Option(names = "--quick", description = "shorter warm-up and iterations (noisier figures)")
  boolean quick;

  @Option(names = "--sizes", split = ",", paramLabel = "BYTES",
      description = "small sizes to measure (default: the slab size classes 64..4096)")
  List<Integer> sizes;

  @Option(names = "--large-sizes", split = ",", paramLabel = "BYTES",
      description = "large sizes to measure (default: 2097152,16777216)")
  List<Long> largeSizes;

  @Option(names = "--iterations", paramLabel = "N", description = "timed iterations per case (default 7, quick 3)")
  Integer iterations;

  @Override
  public Integer call() {
    Settings base = quick ? Settings.quick() : Settings.standard();
    Settings settings;
    try {
      settings = new Settings(base.warmup(), iterations == null ? base.iterations() : iterations, base.iteration(),
          sizes == null ? base.smallSizes() : sizes, largeSizes == null ? base.largeSizes() : largeSizes);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.csv) {
      out.println(AllocBenchmark.CSV_HEADER);
      AllocBenchmark.run(settings, r -> {
        out.println(r.csv());
        out.flush();
      });
      return RustyDbCommand.EXIT_OK;
    }
    out.printf(Locale.ROOT, "%-14s %10s %12s%n", "allocator", "size", "ns/op");
    List<Row> rows = AllocBenchmark.run(settings, r -> {
      out.printf(Locale.ROOT, "%-14s %10d %12.1f%n", r.allocator(), r.size(), r.nsPerOp());
      out.flush();
    });
    summary(out, rows);
    return RustyDbCommand.EXIT_OK;
  }

  /** Slab against malloc per size, and the reset time, against the goals. */
  private static void summary(PrintWriter out, List<Row> rows) {
    Map<String, Double> by = new HashMap<>();
    for (Row r : rows) by.put(r.allocator() + "/" + r.size(), r.nsPerOp());
    out.println();
    out.println("goal: slab alloc+free at most half of malloc's; arena reset under 1000 ns");
    for (Row r : rows) {
      if (!r.allocator().equals("slab")) continue;
      Double malloc = by.get("malloc/" + r.size());
      if (malloc != null) {
        out.printf(Locale.ROOT, "  slab/malloc at %5d bytes: %.2f%s%n", r.size(), r.nsPerOp() / malloc,
            r.nsPerOp() <= malloc / 2 ? "" : "  (goal missed)");
      }
    }
    Double reset = by.get("arena-reset/64");
    if (reset != null) {
      out.printf(Locale.ROOT, "  arena reset: %.1f ns%s%n", reset, reset < 1000 ? "" : "  (goal missed)");
    }
  }
}
