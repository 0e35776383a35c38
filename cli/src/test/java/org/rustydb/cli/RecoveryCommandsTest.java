package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.txn.Transaction;

class RecoveryCommandsTest {

  @TempDir Path dir;

  @Test
  void tortureFiftyCyclesLosesNothing() {
    Path db = dir.resolve("torture");
    CliRun r = run("torture", db.toString(), "--cycles", "50", "--threads", "3", "--seconds", "0.4");
    String[] lines = r.out().strip().split("\n");
    String last = lines[lines.length - 1];
    assertThat(last).as(r.out() + r.err()).matches("cycles=50 acknowledged=\\d+ lost=0 phantom=0 corrupt_pages=0");
    assertThat(Long.parseLong(last.replaceAll(".*acknowledged=(\\d+).*", "$1"))).isPositive();
    assertThat(r.exit()).isEqualTo(0);
  }

  /** The same through the OS page cache: the child's and the checks' misses are copies from file mappings. */
  @Test
  void tortureThroughTheOsPageCacheLosesNothing() {
    Path db = dir.resolve("torture-os");
    CliRun r = run("torture", db.toString(), "--cycles", "15", "--threads", "3", "--seconds", "0.4",
        "--page-cache", "os");
    String[] lines = r.out().strip().split("\n");
    assertThat(lines[lines.length - 1]).as(r.out() + r.err())
        .matches("cycles=15 acknowledged=[1-9]\\d* lost=0 phantom=0 corrupt_pages=0");
    assertThat(r.exit()).isEqualTo(0);
    assertThat(run("torture", db.toString(), "--cycles", "1", "--page-cache", "mmap").exit()).isEqualTo(2);
  }

  @Test
  void checkpointAndRecoverPrintWhatTheyDid() {
    try (Database db = Database.open(dir.resolve("d"), DatabaseOptions.builder().poolFrames(64)
        .walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO).build())) {
      Transaction t = db.begin();
      db.heapTable("t").insert(t, "x".getBytes());
      t.commit();
    }
    CliRun c = run("checkpoint", dir.resolve("d").toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(c.out()).contains("checkpoint at ", "state CLEAN_SHUTDOWN");
    CliRun r = run("recover", dir.resolve("d").toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(0);
    assertThat(r.out()).contains("recovery: ", "losers 0", "replay speed");
    CliRun missing = run("recover", dir.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("no data directory");
    assertThat(run("torture", dir.toString(), "--cycles", "0").exit()).isEqualTo(2);
  }

  @Test
  void benchRecoveryReportsAReplaySpeed() {
    CliRun r = run("bench", "recovery", "--dir", dir.resolve("b").toString(), "--megabytes", "2", "--rounds", "1");
    assertThat(r.exit()).as(r.err()).isEqualTo(0);
    assertThat(r.out()).containsPattern("recovery replay: median [0-9.]+ MB/s over 1 rounds \\([0-9.]+ MB of log");
    assertThat(run("bench", "recovery", "--dir", dir.resolve("b2").toString(), "--rounds", "0").exit()).isEqualTo(2);
  }
}
