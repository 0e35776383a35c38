package org.rustydb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.disk.DataDirectory;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.recovery.RecoveryReport;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rustydb bench recovery}: recovery replay speed. Writes about N MB of log with heap transactions
 * (NO_SYNC commits, no checkpoint after the one at open), copies the open directory (a crash image: what a
 * kill -9 would leave), and times {@code Database.open} recovering the copy, R times; reports the median.
 */
@Command(
    name = "recovery",
    mixinStandardHelpOptions = true,
    description = "Recovery replay speed: MB of WAL recovered per second after a crash (median of R rounds).")
public final class RecoveryBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "scratch directory (must not exist)")
  Path dir;

  @Option(names = "--megabytes", paramLabel = "N", defaultValue = "64", description = "log to write in MB (default 64)")
  int megabytes;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "3", description = "recoveries timed (default 3)")
  int rounds;

  @Override
  public Integer call() throws IOException {
    if (megabytes < 1 || rounds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--megabytes and --rounds must be at least 1");
    }
    if (Files.exists(dir)) throw new CommandLine.ParameterException(spec.commandLine(), dir + " exists");
    PrintWriter out = spec.commandLine().getOut();
    Path src = dir.resolve("source");
    DatabaseOptions opts = DatabaseOptions.builder().poolFrames(8192).checkpointInterval(Duration.ZERO).build();
    try (Database db = Database.open(src, opts)) {
      HeapTable t = db.heapTable("bench");
      long start = db.transactions().wal().currentLsn();
      long target = (long) megabytes << 20;
      byte[] value = new byte[100];
      List<Long> rids = new ArrayList<>();
      for (long n = 0; db.transactions().wal().currentLsn() - start < target; n++) {
        Transaction tx = db.begin();
        for (int i = 0; i < 4; i++) rids.add(t.insert(tx, value));
        if (rids.size() > 8) t.update(tx, rids.get((int) (n * 7 % (rids.size() - 4))), value);
        tx.commit(Durability.NO_SYNC);
      }
      db.transactions().wal().flushAll();
      List<Double> speeds = new ArrayList<>();
      RecoveryReport last = null;
      for (int r = 0; r < rounds; r++) {
        Path copy = dir.resolve("crash" + r);
        copy(src, copy);
        try (Database rec = Database.open(copy, opts)) {
          last = rec.recoveryReport();
        }
        speeds.add(last.megabytesPerSecond());
        out.printf("round %d: %s (%.1f MB/s)%n", r + 1, last, last.megabytesPerSecond());
        out.flush();
        delete(copy);
      }
      speeds.sort(Comparator.naturalOrder());
      out.printf("recovery replay: median %.1f MB/s over %d rounds (%.1f MB of log, %d records redone)%n",
          speeds.get(speeds.size() / 2), rounds, last.logBytes() / 1e6, last.recordsRedone());
    }
    delete(dir);
    return RustyDbCommand.EXIT_OK;
  }

  /** Copies a live directory; files that vanish meanwhile (WAL segments being prepared) are skipped. */
  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var entries = Files.newDirectoryStream(from)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.equals(DataDirectory.LOCK) || name.endsWith(".prep")) continue;
        if (Files.isDirectory(p)) {
          copy(p, to.resolve(name));
        } else {
          try {
            Files.copy(p, to.resolve(name));
          } catch (java.nio.file.NoSuchFileException gone) {
            // renamed or removed by the WAL writer while copying: a crash could lose it too
          }
        }
      }
    }
  }

  private static void delete(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
