package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rustydb.bench.cachesim.CacheSimulator;
import org.rustydb.bench.cachesim.HitRatePlot;
import org.rustydb.bench.cachesim.TraceFile;
import org.rustydb.buffer.ReplacerRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rustydb cachesim}: replays page-reference traces through the buffer pool's replacement
 * policies and prints hit rates (a table, or CSV), optionally drawing them against cache size.
 */
@Command(
    name = "cachesim",
    mixinStandardHelpOptions = true,
    description = {
      "Replay page-reference traces through replacement policies and print hit rates.",
      "A trace has one decimal page number per line, plain or gzip-compressed. Hit rate = hits / all"
          + " references (cold misses count as misses)."
    })
public final class CacheSimCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--trace", required = true, split = ",", paramLabel = "FILE",
      description = "Trace files, comma-separated.")
  List<Path> traces;

  @Option(names = "--policy", split = ",", paramLabel = "NAME", defaultValue = "lru,arc,opt,default",
      description = "Policies, comma-separated: lru, clock, arc, earc, lirs, alirs, dlirs, wtinylfu, opt (Belady's MIN),"
          + " default (the buffer pool's default, " + ReplacerRegistry.DEFAULT_POLICY + "). Default: ${DEFAULT-VALUE}.")
  List<String> policies;

  @Option(names = "--size", required = true, split = ",", paramLabel = "N",
      description = "Cache sizes in pages, comma-separated.")
  List<Integer> sizes;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv",
      description = "Output format: table (default) or csv (trace,policy,size,accesses,hits,hit_rate).")
  String format;

  @Option(names = "--plot", paramLabel = "PNG", description = "Also draw hit rate against cache size into this PNG file.")
  Path plot;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    for (String p : policies) {
      if (!ReplacerRegistry.isKnown(p)) {
        throw new CommandLine.ParameterException(cl, "unknown policy \"" + p + "\"; known: "
            + String.join(", ", ReplacerRegistry.NAMES));
      }
    }
    for (int s : sizes) {
      if (s <= 0) throw new CommandLine.ParameterException(cl, "cache size must be positive: " + s);
    }
    String fmt = format.toLowerCase(Locale.ROOT);
    if (!fmt.equals("table") && !fmt.equals("csv")) {
      throw new CommandLine.ParameterException(cl, "unknown format \"" + format + "\"; use table or csv");
    }
    List<TraceFile> loaded = new ArrayList<>();
    for (Path t : traces) loaded.add(TraceFile.read(t));
    List<String> names = policies.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
    List<CacheSimulator.Result> results = CacheSimulator.runAll(loaded, names, sizes);
    PrintWriter out = cl.getOut();
    if (fmt.equals("csv")) printCsv(out, results);
    else printTable(out, results);
    if (plot != null) {
      HitRatePlot.write(results, plot);
      if (fmt.equals("table")) out.println("plot written to " + plot);
    }
    out.flush();
    return RustyDbCommand.EXIT_OK;
  }

  static void printCsv(PrintWriter out, List<CacheSimulator.Result> results) {
    out.println("trace,policy,size,accesses,hits,hit_rate");
    for (CacheSimulator.Result r : results) {
      out.printf(Locale.ROOT, "%s,%s,%d,%d,%d,%.2f%n", r.trace(), r.policy(), r.size(), r.accesses(), r.hits(), r.hitRate());
    }
  }

  static void printTable(PrintWriter out, List<CacheSimulator.Result> results) {
    int traceWidth = Math.max(5, results.stream().mapToInt(r -> r.trace().length()).max().orElse(5));
    int policyWidth = Math.max(6, results.stream().mapToInt(r -> r.policy().length()).max().orElse(6));
    String row = "%-" + traceWidth + "s  %-" + policyWidth + "s  %8s  %10s  %10s  %8s%n";
    out.printf(Locale.ROOT, row, "trace", "policy", "size", "accesses", "hits", "hit rate");
    for (CacheSimulator.Result r : results) {
      out.printf(Locale.ROOT, row, r.trace(), r.policy(), r.size(), r.accesses(), r.hits(),
          String.format(Locale.ROOT, "%.2f%%", r.hitRate()));
    }
  }
}
