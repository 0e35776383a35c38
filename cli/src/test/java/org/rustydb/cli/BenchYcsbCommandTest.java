package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchYcsbCommandTest {

  @TempDir Path dir;

  @Test
  void csvHasOneRowPerEngineAndWorkloadAndThePlotIsAPng() throws IOException {
    Path png = dir.resolve("ycsb.png");
    CliRun r = run("bench", "ycsb", "--engines", "rocksdb,sqlite", "--workloads", "a", "--records", "200",
        "--operations", "200", "--threads", "2", "--dir", dir.resolve("data").toString(), "--format", "csv",
        "--plot", png.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\\R");
    assertThat(lines[0]).isEqualTo("engine,workload,threads,ops_per_s,p50_us,p99_us");
    assertThat(lines).hasSize(3);
    assertThat(lines[1]).startsWith("rocksdb,a,2,");
    assertThat(lines[2]).startsWith("sqlite,a,2,");
    for (int i = 1; i < 3; i++) {
      String[] f = lines[i].split(",");
      assertThat(f).hasSize(6);
      assertThat(Double.parseDouble(f[3])).isPositive();
      assertThat(Long.parseLong(f[5])).isGreaterThanOrEqualTo(Long.parseLong(f[4]));
    }
    assertThat(r.err()).containsPattern("rocksdb +a run +\\[=+\\] 100%");
    byte[] head = Files.readAllBytes(png);
    assertThat(new String(head, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    try (Stream<Path> left = Files.list(dir.resolve("data"))) {
      assertThat(left.toList()).as("data directories are deleted without --keep").isEmpty();
    }
  }

  @Test
  void rustydbRunsThroughTheOsPageCacheWhenAsked() {
    CliRun r = run("bench", "ycsb", "--engines", "rustydb", "--workloads", "c", "--records", "200",
        "--operations", "200", "--threads", "1", "--dir", dir.resolve("data").toString(), "--format", "csv",
        "--rustydb-page-cache", "os");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("rustydb,c,1,");
    CliRun bad = run("bench", "ycsb", "--rustydb-page-cache", "mmap");
    assertThat(bad.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(bad.err()).contains("unknown --rustydb-page-cache \"mmap\"");
  }

  @Test
  void warmUpOperationsShowInTheProgressButNotInTheCountAndMustNotBeNegative() {
    CliRun r = run("bench", "ycsb", "--engines", "rustydb", "--workloads", "b", "--records", "100",
        "--operations", "150", "--warmup-operations", "250", "--threads", "2", "--dir", dir.resolve("data").toString(),
        "--format", "csv");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("rustydb,b,2,");
    assertThat(r.err()).contains("run  [====================] 100% 400/400");
    CliRun bad = run("bench", "ycsb", "--warmup-operations", "-1");
    assertThat(bad.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(bad.err()).contains("warm-up operations must not be negative: -1");
  }

  @Test
  void theDefaultEnginesIncludeRustyDb() {
    CliRun r = run("bench", "ycsb", "--help");
    assertThat(r.out().replaceAll("\\s+", "")).contains("Default:rustydb,rocksdb,je,h2,lmdb,sqlite.");
  }

  @Test
  void unknownEngineIsBadUsage() {
    CliRun r = run("bench", "ycsb", "--engines", "rocksdb,oracle", "--workloads", "a");
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(r.err()).contains("unknown engine \"oracle\"").contains("rocksdb, je, h2, lmdb, sqlite");
  }

  @Test
  void unknownWorkloadIsBadUsage() {
    CliRun r = run("bench", "ycsb", "--engines", "je", "--workloads", "g");
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(r.err()).contains("unknown workload \"g\"");
  }

  @Test
  void badDurabilityAndZeroRecordsAreBadUsage() {
    assertThat(run("bench", "ycsb", "--durability", "maybe").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    CliRun r = run("bench", "ycsb", "--records", "0");
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(r.err()).contains("records must be positive");
  }

  @Test
  void aBindingThatCannotOpenFailsTheRunWithTheChildsReason() {
    // JE refuses a cache larger than the child's heap (-Xmx1g): the child exits 1 and the runner reports it.
    CliRun r = run("bench", "ycsb", "--engines", "je", "--workloads", "c", "--records", "10", "--operations", "10",
        "--cache-mb", "100000", "--dir", dir.toString());
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_FAILURE);
    assertThat(r.err()).contains("je on workload c failed (child exit 1)").contains("JeBinding cannot open");
  }

  @Test
  void anUnusableDataDirectoryIsAFailure() {
    // The data directory's parent is a regular file: the child cannot create its store and must say so.
    CliRun r = run("bench", "ycsb", "--engines", "je", "--workloads", "c", "--records", "10", "--operations", "10",
        "--dir", writeFile().toString());
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_FAILURE);
    assertThat(r.err()).contains("cannot create");
  }

  private Path writeFile() {
    try {
      return Files.writeString(dir.resolve("plain-file"), "x");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
