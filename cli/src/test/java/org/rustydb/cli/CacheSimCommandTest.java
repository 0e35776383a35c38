package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheSimCommandTest {

  @TempDir Path dir;

  /** 1 2 3 1 2 3 4 1: with 3 pages LRU hits 1, 2, 3 on the second pass and nothing after 4 evicts 1. */
  private Path smallTrace() throws IOException {
    return Files.writeString(dir.resolve("small.txt"), "1\n2\n3\n1\n2\n3\n4\n1\n");
  }

  @Test
  void csvHasTheExactHeaderAndOneRowPerTracePolicyAndSize() throws IOException {
    Path gz = dir.resolve("small.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(Files.readAllBytes(smallTrace()));
    }
    CliRun r = run("cachesim", "--trace", smallTrace() + "," + gz, "--policy", "lru,opt,default", "--size", "2,3",
        "--format", "csv");
    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\\R");
    assertThat(lines[0]).isEqualTo("trace,policy,size,accesses,hits,hit_rate");
    assertThat(lines).hasSize(1 + 2 * 3 * 2);
    assertThat(lines).contains("small.txt,lru,3,8,3,37.50", "small.gz,lru,3,8,3,37.50",
        "small.txt,opt,3,8,4,50.00", "small.txt,lru,2,8,0,0.00");
    assertThat(r.out()).contains("small.txt,default,2,8,");
  }

  @Test
  void tableIsTheDefaultOutputAndPlotWritesAPng() throws IOException {
    Path png = dir.resolve("out/plot.png");
    CliRun r = run("cachesim", "--trace", smallTrace().toString(), "--policy", "lru,arc", "--size", "1,2,3",
        "--plot", png.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("trace", "policy", "hit rate", "small.txt", "37.50%");
    byte[] head = Files.readAllBytes(png);
    assertThat(head.length).isGreaterThan(1000);
    assertThat(new String(head, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  @Test
  void missingFileIsAFailureThatNamesIt() {
    CliRun r = run("cachesim", "--trace", dir.resolve("nope.trace").toString(), "--size", "10");
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_FAILURE);
    assertThat(r.err()).contains("nope.trace").contains("not found");
  }

  @Test
  void nonNumericLineNamesFileAndLine() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.txt"), "1\n2\nx7\n");
    CliRun r = run("cachesim", "--trace", bad.toString(), "--size", "10");
    assertThat(r.exit()).isEqualTo(RustyDbCommand.EXIT_FAILURE);
    assertThat(r.err()).contains("bad.txt").contains("line 3");
  }

  @Test
  void unknownPolicyBadSizeAndBadFormatAreUsageErrors() throws IOException {
    String t = smallTrace().toString();
    CliRun policy = run("cachesim", "--trace", t, "--policy", "lru,mru", "--size", "10");
    assertThat(policy.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(policy.err()).contains("unknown policy \"mru\"");
    CliRun zero = run("cachesim", "--trace", t, "--size", "10,0");
    assertThat(zero.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(zero.err()).contains("must be positive: 0");
    CliRun notNumber = run("cachesim", "--trace", t, "--size", "ten");
    assertThat(notNumber.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    CliRun format = run("cachesim", "--trace", t, "--size", "10", "--format", "xml");
    assertThat(format.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    CliRun noTrace = run("cachesim", "--size", "10");
    assertThat(noTrace.exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
  }
}
