package org.rustydb.bench.ycsb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rustydb.bench.DataDirs;
import org.rustydb.OperationFailedException;

/**
 * Runs every engine of a {@link YcsbConfig} on every workload, one after another, each (engine, workload) in
 * its own child JVM ({@link YcsbChild}) with a fresh data directory: engines do not share a heap, native
 * allocator, page cache warm-up in the JVM or JIT profile, and LMDB gets the module flags it needs.
 */
public final class YcsbRunner {

  /** JVM options every child gets: native access (RocksDB, SQLite, LMDB) and LMDB's reflective access. */
  static final List<String> CHILD_JAVA_OPTIONS = List.of(
      "--enable-native-access=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "-Xmx1g");

  /** Told about progress and results as they happen. */
  public interface Listener {
    /** {@code phase} is "load" or "run". */
    void progress(YcsbEngine engine, String workload, String phase, long done, long total);

    void result(YcsbResult result);
  }

  private final YcsbConfig config;

  public YcsbRunner(YcsbConfig config) {
    this.config = config;
  }

  /**
   * Runs everything and returns one result per engine and workload, engines outermost.
   *
   * @throws OperationFailedException when a child fails (its output is in the message)
   */
  public List<YcsbResult> run(Listener listener) {
    List<YcsbResult> results = new ArrayList<>();
    try {
      Files.createDirectories(config.dir());
    } catch (IOException e) {
      throw new OperationFailedException("cannot create " + config.dir() + ": " + e.getMessage(), e);
    }
    for (YcsbEngine engine : config.engines()) {
      for (String workload : config.workloads()) {
        YcsbResult r = runOne(engine, workload, listener);
        results.add(r);
        listener.result(r);
      }
    }
    return results;
  }

  private YcsbResult runOne(YcsbEngine engine, String workload, Listener listener) {
    Path data;
    Path log;
    try {
      data = Files.createTempDirectory(config.dir(), "ycsb-" + engine.cliName() + "-" + workload + "-");
      // Beside the data directories, so that a failed run's log stays with them (and is named in the error).
      log = Files.createTempFile(config.dir(), "ycsb-" + engine.cliName() + "-" + workload + "-", ".log");
    } catch (IOException e) {
      throw new OperationFailedException("cannot create a data directory in " + config.dir() + ": " + e.getMessage(), e);
    }
    boolean ok = false;
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(CHILD_JAVA_OPTIONS);
      cmd.addAll(config.javaOptions());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(YcsbChild.class.getName());
      cmd.addAll(List.of(engine.cliName(), workload, Long.toString(config.records()),
          Long.toString(config.operations()), Integer.toString(config.threads()), config.durability().cliName(),
          Integer.toString(config.cacheMb()), data.toString(), Long.toString(config.warmup())));
      Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      p.getOutputStream().close();
      long[] load = null;
      long[] run = null;
      List<String> other = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          String[] f = line.split(" ");
          if (f.length == 4 && f[0].equals(YcsbChild.PROGRESS)) {
            listener.progress(engine, workload, f[1], Long.parseLong(f[2]), Long.parseLong(f[3]));
          } else if (f.length == 6 && f[0].equals(YcsbChild.PHASE)) {
            long[] v = {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5])};
            if (f[1].equals("load")) load = v;
            else run = v;
            long total = f[1].equals("load") ? config.records() : config.operations() + config.warmup();
            listener.progress(engine, workload, f[1], total, total);
          } else {
            other.add(line);
          }
        }
      }
      int exit = p.waitFor();
      if (exit != 0 || load == null || run == null) {
        throw new OperationFailedException(engine.cliName() + " on workload " + workload + " failed (child exit "
            + exit + "):\n" + tail(log, other));
      }
      ok = true;
      return new YcsbResult(engine.cliName(), workload, config.threads(), run[0] * 1e9 / run[1], run[2], run[3],
          load[0] * 1e9 / load[1]);
    } catch (IOException e) {
      throw new OperationFailedException("cannot run the child JVM for " + engine.cliName() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperationFailedException("interrupted", e);
    } finally {
      if (!config.keep()) deleteTree(data);
      if (ok) deleteTree(log);
    }
  }

  /** The last lines of the child's stderr and any unexpected stdout, for the failure message. */
  private static String tail(Path log, List<String> stdout) {
    List<String> lines = new ArrayList<>(stdout);
    try {
      lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      lines.add("(cannot read " + log + ": " + e.getMessage() + ")");
    }
    List<String> last = lines.subList(Math.max(0, lines.size() - 25), lines.size());
    return String.join("\n", last) + "\n(full child log: " + log + ")";
  }

  static void deleteTree(Path root) {
    try {
      DataDirs.deleteTree(root);
    } catch (IOException e) {
      throw new OperationFailedException("cannot delete " + root + ": " + e.getMessage(), e);
    }
  }
}
