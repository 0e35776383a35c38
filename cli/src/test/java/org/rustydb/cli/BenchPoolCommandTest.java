package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPoolCommandTest {

  @Test
  void residentCsvHasTheHeaderAndTheBaselineBesideThePool() {
    CliRun r = run("bench", "pool", "--suite", "resident", "--threads", "1", "--seconds", "0.05", "--runs", "1",
        "--format", "csv");
    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines[0]).isEqualTo("benchmark,threads,ops_per_s");
    assertThat(lines).hasSize(7);
    assertThat(lines[1]).startsWith("chm-get,1,");
    assertThat(lines[2]).startsWith("pagetable-get,1,");
    assertThat(lines[3]).startsWith("rwlock64-get,1,");
    assertThat(lines[4]).startsWith("pool-read-guard,1,");
    assertThat(lines[5]).startsWith("pool-optimistic,1,");
    assertThat(lines[6]).startsWith("pool-read-guard-no-policy,1,");
    for (int i = 1; i < lines.length; i++) {
      assertThat(Double.parseDouble(lines[i].split(",")[2])).isPositive();
    }
  }

  @Test
  void disk4xRunsOverARealFile(@TempDir Path dir) {
    CliRun r = run("bench", "pool", "--suite", "disk4x", "--threads", "1", "--seconds", "0.05", "--runs", "1",
        "--dir", dir.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("benchmark").contains("disk4x-seq-prefetch-off").contains("disk4x-seq-prefetch-on")
        .contains("disk4x-random-prefetch-off").contains("disk4x-random-prefetch-on");
    assertThat(dir.resolve("rustydb-bench-pool")).doesNotExist();
  }

  @Test
  void badUsageExitsWithTwo() {
    assertThat(run("bench", "pool", "--suite", "nope").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(run("bench", "pool", "--format", "xml").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(run("bench", "pool", "--threads", "0").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(run("bench", "pool", "--threads", "x").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
  }
}
