package org.rustydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class IoBenchCommandTest {

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = RustyDbCommand.newCommandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void csvPrintsTheHeaderAndOneLinePerRun() {
    Path file = dir.resolve("io.dat");
    int code = run("bench", "io", "--engine", "filechannel", "--pattern", "randread,randwrite", "--depth", "1,2",
        "--block", "4k", "--file", file.toString(), "--size", "1m", "--seconds", "0.2", "--warmup", "0",
        "--format", "csv");
    assertThat(code).as(err.toString()).isZero();
    String[] lines = out.toString().strip().split("\\R");
    assertThat(lines[0]).isEqualTo("engine,pattern,block,depth,iops,mib_per_s,p50_us,p99_us");
    assertThat(lines).hasSize(5);
    assertThat(lines[1]).startsWith("filechannel,randread,4k,1,");
    assertThat(lines[4]).startsWith("filechannel,randwrite,4k,2,");
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split(",");
      assertThat(f).hasSize(8);
      assertThat(Double.parseDouble(f[4])).isPositive();
    }
    assertThat(Files.exists(file)).isTrue(); // a named file is kept for the next run
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertThat(run("bench", "io", "--engine", "posix", "--seconds", "0.1", "--size", "1m")).isEqualTo(2);
    assertThat(err.toString()).contains("--engine must be uring or filechannel");
    assertThat(run("bench", "io", "--block", "3k", "--seconds", "0.1", "--size", "1m")).isEqualTo(2);
    assertThat(run("bench", "io", "--size", "lots")).isEqualTo(2);
    assertThat(run("bench", "io", "--callers", "fibers", "--seconds", "0.1", "--size", "1m")).isEqualTo(2);
    assertThat(err.toString()).contains("--callers must be callback or threads");
  }

  @Test
  void callerThreadsSubmitAndWait() {
    Path file = dir.resolve("threads.dat");
    int code = run("bench", "io", "--engine", "filechannel", "--depth", "3", "--callers", "threads",
        "--file", file.toString(), "--size", "1m", "--seconds", "0.2", "--warmup", "0", "--format", "csv");
    assertThat(code).as(err.toString()).isZero();
    String[] lines = out.toString().strip().split("\\R");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).startsWith("filechannel,randread,4k,3,");
    assertThat(Double.parseDouble(lines[1].split(",")[4])).isPositive();
  }
}
