package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rustydb.bench.io.IoBenchConfig;
import org.rustydb.bench.io.IoBenchResult;
import org.rustydb.bench.io.IoBenchRunner;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rustydb bench io}: raw I/O engine throughput and latency, one line per run. */
@Command(
    name = "io",
    mixinStandardHelpOptions = true,
    description = {
      "Measure an I/O engine: DEPTH requests of BLOCK bytes in flight against FILE (O_DIRECT).",
      "Lists (comma-separated) run every combination; one line per run."
    })
public final class IoBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--engine", split = ",", defaultValue = "uring", description = "uring|filechannel (default ${DEFAULT-VALUE})")
  List<String> engines;

  @Option(names = "--pattern", split = ",", defaultValue = "randread", description = "randread|seqread|randwrite (default ${DEFAULT-VALUE})")
  List<String> patterns;

  @Option(names = "--depth", split = ",", defaultValue = "1", description = "requests in flight (default ${DEFAULT-VALUE})")
  List<Integer> depths;

  @Option(names = "--block", split = ",", defaultValue = "4k", description = "request size: 4k, 1m, ... (default ${DEFAULT-VALUE})")
  List<String> blocks;

  @Option(names = "--file", description = "file to use (kept; default: a temporary file, deleted afterwards)")
  Path file;

  @Option(names = "--size", defaultValue = "1g", description = "bytes of the file to spread requests over (default ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per run (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--warmup", defaultValue = "1", description = "unmeasured seconds before each run (default ${DEFAULT-VALUE})")
  double warmup;

  @Option(names = "--callers", defaultValue = "callback",
      description = "callback: each completion issues the next request; threads: DEPTH threads each submit and "
          + "wait, as the disk manager does (default ${DEFAULT-VALUE})")
  String callers;

  @Option(names = "--format", defaultValue = "table", description = "table|csv (default ${DEFAULT-VALUE})")
  String format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    boolean csv = switch (format) {
      case "csv" -> true;
      case "table" -> false;
      default -> throw usage("--format must be table or csv: " + format);
    };
    IoBenchConfig.Callers who = switch (callers) {
      case "callback" -> IoBenchConfig.Callers.CALLBACK;
      case "threads" -> IoBenchConfig.Callers.THREADS;
      default -> throw usage("--callers must be callback or threads: " + callers);
    };
    long bytes = parseSize(size, "--size");
    List<IoBenchConfig> runs = new ArrayList<>();
    boolean temp = file == null;
    Path target = temp ? Files.createTempFile("rustydb-bench-io", ".dat") : file;
    try {
      for (String e : engines) {
        IoOptions.Kind kind = switch (e) {
          case "uring" -> IoOptions.Kind.URING;
          case "filechannel" -> IoOptions.Kind.FILE_CHANNEL;
          default -> throw usage("--engine must be uring or filechannel: " + e);
        };
        for (String p : patterns) {
          IoBenchConfig.Pattern pattern;
          try {
            pattern = IoBenchConfig.Pattern.valueOf(p.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException ex) {
            throw usage("--pattern must be randread, seqread or randwrite: " + p);
          }
          for (String b : blocks) {
            long block = parseSize(b, "--block");
            if (block > Integer.MAX_VALUE) throw usage("--block too large: " + b);
            for (int d : depths) {
              try {
                runs.add(new IoBenchConfig(kind, pattern, (int) block, d, target, bytes - bytes % block, seconds, warmup,
                    who));
              } catch (IllegalArgumentException ex) {
                throw usage(ex.getMessage());
              }
            }
          }
        }
      }
      if (runs.stream().anyMatch(r -> r.engine() == IoOptions.Kind.URING)) {
        String why = IoEngines.uringUnavailableReason();
        if (why != null) throw new IllegalStateException("io_uring unavailable here: " + why);
      }
      if (csv) {
        out.println(IoBenchResult.CSV_HEADER);
      } else {
        out.printf("%-12s %-9s %6s %5s %10s %10s %9s %9s%n", "engine", "pattern", "block", "depth", "IOPS", "MiB/s",
            "p50 us", "p99 us");
      }
      out.flush();
      for (IoBenchConfig c : runs) {
        IoBenchResult r = IoBenchRunner.run(c);
        if (csv) {
          out.println(r.csvLine());
        } else {
          out.printf(Locale.ROOT, "%-12s %-9s %6s %5d %10.0f %10.1f %9.1f %9.1f%n", c.engineName(),
              c.pattern().cliName(), IoBenchResult.blockName(c.blockSize()), c.depth(), r.iops(), r.mibPerSecond(),
              r.p50Micros(), r.p99Micros());
        }
        out.flush();
      }
      return RustyDbCommand.EXIT_OK;
    } finally {
      if (temp) Files.deleteIfExists(target);
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** "4k", "1m", "2g", "4096" -> bytes. */
  long parseSize(String s, String option) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("k")) unit = 1L << 10;
    else if (t.endsWith("m")) unit = 1L << 20;
    else if (t.endsWith("g")) unit = 1L << 30;
    if (unit != 1) t = t.substring(0, t.length() - 1);
    try {
      long v = Long.parseLong(t);
      if (v <= 0) throw usage(option + " must be positive: " + s);
      return Math.multiplyExact(v, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw usage(option + " is not a size like 4k, 1m or 2g: " + s);
    }
  }
}
