package org.rustydb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Callable;
import org.rustydb.Cursor;
import org.rustydb.Database;
import org.rustydb.DatabaseVerifier;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.recovery.RecoveryReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rustydb torture DIR --cycles N}: crash testing with SIGKILL. Each cycle starts a child JVM running
 * {@link TortureWorkerCommand} (concurrent SYNC transactions, each commit acknowledged on its stdout),
 * kills it with SIGKILL ({@code Process.destroyForcibly()}) at a random moment, reopens the directory
 * (recovery), and checks: every acknowledged commit is present exactly ("lost" otherwise); no row of an
 * aborted transaction and no partial transaction is visible ("phantom"); and, once closed, every page
 * checksum verifies ("corrupt_pages"). A transaction whose commit was durable but not acknowledged before
 * the kill may be present: that is allowed, as long as it is whole.
 */
@Command(
    name = "torture",
    mixinStandardHelpOptions = true,
    description = "Crash-test DIR: a child JVM runs SYNC transactions and is killed with SIGKILL at a random "
        + "moment, N times; after each kill recovery runs and every acknowledged commit is checked.")
public final class TortureCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory (created if missing)")
  Path dir;

  @Option(names = "--cycles", required = true, description = "kill/recover cycles")
  int cycles;

  @Option(names = "--threads", defaultValue = "4", description = "workload threads in the child (default 4)")
  int threads;

  /** How the page files are read and written: O_DIRECT, or through the OS page cache (mapped reads). */
  enum PageCache { direct, os }

  @Option(names = "--page-cache", defaultValue = "direct",
      description = "direct (O_DIRECT, the default) or os: page files through the OS page cache, misses read "
          + "from memory mappings of the files, in the child and in the checks after each kill")
  PageCache pageCache;

  @Option(names = "--seconds", defaultValue = "1.0",
      description = "longest workload time per cycle before the kill, in seconds (default 1.0); the kill comes "
          + "at a random moment up to it")
  double seconds;

  private final Set<Long> committed = new HashSet<>();
  private final Set<Long> aborted = new HashSet<>();

  @Override
  public Integer call() throws Exception {
    if (cycles < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--cycles must be at least 1");
    if (threads < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
    if (!(seconds > 0)) throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be positive");
    PrintWriter out = spec.commandLine().getOut();
    long acknowledged = 0, lost = 0, phantom = 0, corrupt = 0;
    Path log = Files.createTempFile("rustydb-torture-", ".log");
    try {
      for (int c = 1; c <= cycles; c++) {
        int acked = runChild(c, log);
        acknowledged += acked;
        long[] r = check();
        lost += r[0];
        phantom += r[1];
        DatabaseVerifier.Result v = DatabaseVerifier.verify(dir); // after recovery and a clean close
        int bad = v.pages().problems().size() + v.treeProblems().size();
        corrupt += bad;
        v.pages().problems().forEach(p -> out.println("  corrupt: " + p));
        v.treeProblems().forEach(p -> out.println("  corrupt B+tree " + p));
        out.printf("cycle %d: acknowledged=%d lost=%d phantom=%d corrupt_pages=%d recovery=%dms%n", c, acked, r[0], r[1],
            bad, r[2]);
        out.flush();
      }
    } finally {
      Files.deleteIfExists(log);
    }
    out.printf("cycles=%d acknowledged=%d lost=%d phantom=%d corrupt_pages=%d%n", cycles, acknowledged, lost, phantom,
        corrupt);
    return lost + phantom + corrupt > 0 ? RustyDbCommand.EXIT_FAILURE : RustyDbCommand.EXIT_OK;
  }

  /** Runs one child until the kill; returns the commits it acknowledged. */
  private int runChild(int cycle, Path log) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        RustyDbCommand.class.getName(), "torture-worker", dir.toString(), "--threads", Integer.toString(threads),
        "--cycle", Integer.toString(cycle), "--page-cache", pageCache.name());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = Thread.ofPlatform().name("torture-reader").start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) lines.add(l);
      } catch (IOException ignored) {
        // the child was killed: its stream ends
      }
      lines.add("<eof>");
    });
    int acked = 0;
    try {
      String first = lines.poll(120, TimeUnit.SECONDS);
      if (!"ready".equals(first)) {
        p.destroyForcibly();
        throw new OperationFailedException("torture child did not start (cycle " + cycle + "): "
            + (first == null ? "timeout" : first) + "; its stderr: " + tail(log));
      }
      long waitNanos = (long) (ThreadLocalRandom.current().nextDouble(0.05, 1.0) * seconds * 1e9);
      if (p.waitFor(waitNanos, TimeUnit.NANOSECONDS)) {
        throw new OperationFailedException("torture child exited by itself with " + p.exitValue() + " (cycle "
            + cycle + "); its stderr: " + tail(log));
      }
    } finally {
      p.destroyForcibly(); // SIGKILL on Linux
      p.waitFor();
      reader.join();
    }
    for (String l : lines) {
      String[] f = l.split(" ");
      if (f.length != 3 || !f[2].equals(".")) continue; // "<eof>", or a line the kill cut
      long k = Long.parseLong(f[1]);
      if (f[0].equals("C")) {
        committed.add(k);
        acked++;
      } else if (f[0].equals("A")) {
        aborted.add(k);
      }
    }
    return acked;
  }

  /**
   * Recovers and checks both tables (the heap's rows and the B+tree's entries, grouped by transaction);
   * returns {lost, phantom, recovery millis}. A transaction counts once if either table is wrong for it.
   */
  private long[] check() {
    Map<Long, TreeSet<String>> rows = new HashMap<>();
    Map<Long, TreeSet<String>> entries = new HashMap<>();
    RecoveryReport report;
    try (Database db = Database.open(dir, DatabaseOptions.builder().poolFrames(256).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).directIo(pageCache == PageCache.direct).build())) {
      report = db.recoveryReport();
      db.heapTable("torture").scan((rid, v) -> group(rows, new String(v, StandardCharsets.UTF_8)));
      try (Cursor c = db.openTable(TortureWorkerCommand.TREE).scan(null, null)) {
        while (c.next()) {
          String key = new String(c.key(), StandardCharsets.UTF_8);
          String value = new String(c.value(), StandardCharsets.UTF_8);
          if (!value.startsWith(key + "/")) value = key + " -> " + value; // never whole: counted as damage
          group(entries, value);
        }
      }
    }
    long lost = 0;
    long phantom = 0;
    for (long k : committed) {
      if (!whole(k, rows.get(k)) || !whole(k, entries.get(k))) lost++;
    }
    Set<Long> seen = new HashSet<>(rows.keySet());
    seen.addAll(entries.keySet());
    for (long k : seen) {
      if (committed.contains(k)) continue;
      if (aborted.contains(k) || !whole(k, rows.get(k)) || !whole(k, entries.get(k))) phantom++;
    }
    return new long[] {lost, phantom, report.duration().toMillis()};
  }

  private static void group(Map<Long, TreeSet<String>> into, String s) {
    into.computeIfAbsent(Long.parseLong(s.substring(0, s.indexOf('/'))), k -> new TreeSet<>()).add(s);
  }

  private static boolean whole(long k, TreeSet<String> got) {
    return got != null && got.equals(new TreeSet<>(List.of(k + "/0/1", k + "/1/0")));
  }

  private static String tail(Path log) {
    try {
      List<String> l = Files.readAllLines(log);
      return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
