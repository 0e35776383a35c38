package org.rustydb.bench.ycsb;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entry point of the child JVM that {@link YcsbRunner} starts for one engine and one workload: loads the
 * records, then runs the operations, and reports on stdout in a line protocol the parent parses:
 *
 * <pre>
 * PROGRESS load|run DONE TOTAL                      (at most every 200 ms; run counts its warm-up too)
 * PHASE load|run OPS NANOS P50_US P99_US            (when a phase completes; run's figures without warm-up)
 * </pre>
 *
 * Exits 0 when both phases completed with every operation OK, 1 otherwise (the reason on stderr).
 * Arguments: {@code ENGINE WORKLOAD RECORDS OPERATIONS THREADS DURABILITY CACHE_MB DIR WARMUP_OPERATIONS}.
 */
public final class YcsbChild {

  static final String PROGRESS = "PROGRESS";
  static final String PHASE = "PHASE";
  private static final long PROGRESS_EVERY_NANOS = 200_000_000L;

  private YcsbChild() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    try {
      if (args.length != 9) throw new IllegalArgumentException("expected 9 arguments, got " + args.length);
      YcsbEngine engine = YcsbEngine.parse(args[0]);
      Properties p = properties(YcsbWorkloads.parse(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]),
          new StoreSettings(Path.of(args[7]), YcsbDurability.parse(args[5]), Integer.parseInt(args[6]),
              Integer.parseInt(args[4])));
      p.setProperty(YcsbDriver.WARMUP, Long.toString(Long.parseLong(args[8])));
      for (YcsbDriver.Phase phase : YcsbDriver.Phase.values()) {
        String name = phase.name().toLowerCase(Locale.ROOT);
        long total = phase == YcsbDriver.Phase.LOAD ? Long.parseLong(p.getProperty("recordcount"))
            : Long.parseLong(p.getProperty("operationcount")) + Long.parseLong(p.getProperty(YcsbDriver.WARMUP));
        AtomicLong lastReport = new AtomicLong(System.nanoTime());
        YcsbDriver.PhaseResult r = YcsbDriver.run(engine, p, phase, done -> {
          long now = System.nanoTime();
          long last = lastReport.get();
          if (now - last >= PROGRESS_EVERY_NANOS && lastReport.compareAndSet(last, now)) {
            synchronized (out) {
              out.println(PROGRESS + " " + name + " " + done + " " + total);
              out.flush();
            }
          }
        });
        synchronized (out) {
          out.println(PHASE + " " + name + " " + r.ops() + " " + r.nanos() + " " + r.p50Micros() + " " + r.p99Micros());
          out.flush();
        }
      }
      System.exit(0);
    } catch (Throwable e) {
      System.err.println("ycsb child failed: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  /** System property of the child JVM: bytes per field instead of the workload file's (YCSB's fieldlength). */
  public static final String FIELD_LENGTH = "rustydb.ycsb.fieldlength";

  /** System property of the child JVM: "os" makes the RustyDB binding read its page files through the OS cache. */
  public static final String RUSTYDB_PAGE_CACHE = "rustydb.ycsb.pagecache";

  /**
   * The YCSB properties of one run: the standard workload with the sizes and store settings applied (and
   * {@link #FIELD_LENGTH} when set).
   */
  static Properties properties(String workload, long records, long operations, StoreSettings settings) {
    Properties p = YcsbWorkloads.load(workload);
    String fieldLength = System.getProperty(FIELD_LENGTH);
    if (fieldLength != null) p.setProperty("fieldlength", fieldLength);
    p.setProperty("recordcount", Long.toString(records));
    p.setProperty("operationcount", Long.toString(operations));
    settings.putInto(p);
    return p;
  }
}
