package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.buffer.FlusherOptions;
import org.rustydb.disk.DataDirectory;
import org.rustydb.io.FaultInjectingIoEngine;
import org.rustydb.io.IoRequest;
import org.rustydb.page.PageFileVerifier;
import org.rustydb.testing.Seeds;

/**
 * Crash sweep over the page files: a seeded workload of SYNC transactions on heap tables runs on a
 * {@link FaultInjectingIoEngine} that tears the Nth page-file write (a whole number of 512-byte sectors
 * reaches the file) and then refuses all I/O, the WAL's included ({@link StoppableWalFiles}); on odd crash
 * points the power goes too, so every write not yet fsynced, page or log, is lost. The directory is then
 * reopened on a clean engine and must hold exactly the acknowledged commits (or one more, when the crash
 * hit a commit in flight), nothing of aborted or unfinished transactions, and pages whose checksums all
 * verify ({@link PageFileVerifier}). Every fourth crash point crashes again, tearing one of the first page
 * writes of the recovery that follows, before the clean reopen.
 *
 * <p>The small run sweeps every page write; the larger one, with the background dirty page flusher on
 * (its writes are crash points too), samples them. Seeds are printed; {@code -Drustydb.crash.seed=S}
 * replays one.
 */
class PageCrashSweepTest {

  private static final System.Logger LOG = System.getLogger(PageCrashSweepTest.class.getName());

  @TempDir Path tmp;
  int recoveryCrashes;

  static long seed() {
    return Seeds.of("PageCrashSweepTest", "rustydb.crash.seed");
  }

  /** A write to a page file in base/ (headers included); temp files do not count. */
  static final Predicate<IoRequest> PAGE_FILE_WRITE = r -> r instanceof IoRequest.Write
      && r.file().path().getParent().getFileName().toString().equals(DataDirectory.BASE);

  record Setup(int transactions, int maxOps, int checkpointEvery, int poolFrames, boolean flusher) {
    DatabaseOptions.Builder options() {
      return DatabaseOptions.builder().poolFrames(poolFrames).walSegmentSize(1 << 20)
          .checkpointInterval(Duration.ZERO).backgroundFlush(flusher)
          .flusher(FlusherOptions.builder().round(Duration.ofMillis(2)).dirtyRatioThreshold(0.25)
              .idleDirtyRatioThreshold(0.25).build());
    }
  }

  /** What one crash point did. */
  record Outcome(boolean crashed, int acknowledged, long pageWrites) {}

  @Test
  void everyPageWriteOfASmallRunIsASurvivableCrashPoint() throws IOException {
    long seed = seed();
    Setup setup = new Setup(40, 4, 5, 8, false);
    int points = 0;
    for (long n = 1; ; n++) {
      Outcome o = crashAt(setup, seed, n);
      if (!o.crashed()) break; // the run ended before its nth page write: every write was a crash point
      points++;
    }
    System.out.println("PageCrashSweepTest: " + points + " crash points, every page write of the small run; "
        + recoveryCrashes + " crashed again in recovery");
    assertThat(recoveryCrashes).as("second crashes during recovery").isPositive();
    assertThat(points).as("page writes in the small run").isGreaterThan(15);
  }

  @Test
  void sampledPageWritesOfALargerRunWithTheFlusherAreSurvivableCrashPoints() throws IOException {
    long seed = seed();
    Setup setup = new Setup(100, 10, 10, 8, true);
    Outcome dry = crashAt(setup, seed, Long.MAX_VALUE);
    assertThat(dry.crashed()).isFalse();
    Random rnd = new Random(seed);
    int samples = 32;
    int crashed = 0;
    for (int i = 0; i < samples; i++) {
      long n = 1 + (long) ((i + rnd.nextDouble()) * dry.pageWrites() / samples); // one in each stretch
      if (crashAt(setup, seed, n).crashed()) crashed++;
    }
    System.out.println("PageCrashSweepTest: " + crashed + " sampled crash points of " + dry.pageWrites()
        + " page writes (" + dry.acknowledged() + " commits); " + recoveryCrashes + " crashed again in recovery");
    assertThat(dry.pageWrites()).isGreaterThan(4 * samples);
    assertThat(crashed).as("sampled points that hit a write").isGreaterThan(samples / 2);
  }

  /**
   * Runs the workload with the {@code n}th page write torn ({@link Long#MAX_VALUE}: none, to count them),
   * reopens on a clean engine and checks the contents and every page.
   */
  Outcome crashAt(Setup setup, long seed, long n) throws IOException {
    Path dir = tmp.resolve("n" + n);
    Random pointRnd = new Random(seed * 31 + n);
    int keep = pointRnd.nextInt(4096 / FaultInjectingIoEngine.SECTOR) * FaultInjectingIoEngine.SECTOR;
    boolean powerLoss = n % 2 == 1;
    StoppableWalFiles wal = new StoppableWalFiles();
    AtomicReference<FaultInjectingIoEngine> engine = new AtomicReference<>();
    long[] pageWrites = {0};
    DatabaseOptions o = setup.options().walFiles(wal).ioEngineDecorator(e -> {
      FaultInjectingIoEngine f = new FaultInjectingIoEngine(e);
      engine.set(f);
      wal.stopWhen(f::isCrashed);
      return f;
    }).build();
    PageCrashWorkload work = new PageCrashWorkload(seed, setup.transactions(), setup.maxOps(), setup.checkpointEvery());
    Database db = Database.open(dir, o);
    FaultInjectingIoEngine fault = engine.get();
    try {
      PageCrashWorkload.tables(db);
      db.checkpoint();
      fault.tearNthWrite(n, r -> {
        boolean page = PAGE_FILE_WRITE.test(r);
        if (page) pageWrites[0]++;
        return page;
      }, keep);
      work.run(db, fault::isCrashed);
    } finally {
      try {
        db.close();
      } catch (RuntimeException e) {
        if (!fault.isCrashed()) throw e;
      }
    }
    if (!fault.isCrashed()) {
      deleteTree(dir);
      return new Outcome(false, work.acknowledged(), pageWrites[0]);
    }
    if (powerLoss) {
      fault.crash();
      wal.loseUnsynced();
    }
    String point = "seed " + seed + ", crash at page write " + n + " (" + keep + " bytes of it kept"
        + (powerLoss ? ", unsynced writes lost" : "") + ") after " + work.acknowledged() + " acknowledged commits";
    if (n % 4 == 0) point += crashDuringRecovery(setup, dir, pointRnd, powerLoss);
    LOG.log(System.Logger.Level.DEBUG, point);
    try (Database again = Database.open(dir, setup.options().build())) {
      TreeMap<String, String> actual = PageCrashWorkload.contents(again);
      TreeMap<String, String> acked = work.states().getLast();
      if (work.inDoubt() != null && actual.equals(work.inDoubt())) {
        // the commit in flight reached the log before the crash: it may be there
      } else {
        assertThat(actual).as(point).isEqualTo(acked);
      }
    }
    PageFileVerifier.Report report = PageFileVerifier.verify(dir);
    assertThat(report.problems()).as(point).isEmpty();
    deleteTree(dir);
    return new Outcome(true, work.acknowledged(), pageWrites[0]);
  }

  /**
   * Opens {@code dir} on an engine that tears one of the first page writes of recovery (redo, undo and the
   * checkpoint that ends the open) or of the close after it, as a second crash would; returns what it did.
   */
  String crashDuringRecovery(Setup setup, Path dir, Random rnd, boolean powerLoss) throws IOException {
    long m = 1 + rnd.nextInt(3);
    int keep = rnd.nextInt(4096 / FaultInjectingIoEngine.SECTOR) * FaultInjectingIoEngine.SECTOR;
    StoppableWalFiles wal = new StoppableWalFiles();
    AtomicReference<FaultInjectingIoEngine> engine = new AtomicReference<>();
    DatabaseOptions o = setup.options().walFiles(wal).ioEngineDecorator(e -> {
      FaultInjectingIoEngine f = new FaultInjectingIoEngine(e);
      f.tearNthWrite(m, PAGE_FILE_WRITE, keep);
      engine.set(f);
      wal.stopWhen(f::isCrashed);
      return f;
    }).build();
    try {
      Database.open(dir, o).close();
    } catch (RuntimeException e) {
      if (engine.get() == null || !engine.get().isCrashed()) throw e;
    }
    if (!engine.get().isCrashed()) return "; recovery wrote fewer than " + m + " pages";
    recoveryCrashes++;
    if (powerLoss) {
      engine.get().crash();
      wal.loseUnsynced();
    }
    return "; crashed again at recovery's page write " + m + " (" + keep + " bytes kept)";
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
