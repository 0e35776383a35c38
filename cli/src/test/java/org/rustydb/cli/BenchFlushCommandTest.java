package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchFlushCommandTest {

  @Test
  void csvHasBothModesPerWorkloadAndSequentialSavesAllButOneWritePerBatch(@TempDir Path dir) {
    CliRun r = run("bench", "flush", "--file-pages", "512", "--dirty", "128", "--runs", "1", "--buffered",
        "--dir", dir.toString(), "--format", "csv");
    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines[0]).isEqualTo("workload,mode,pages,write_ops,saved_percent,mib_per_s,direct");
    assertThat(lines).hasSize(7);
    assertThat(lines[1]).startsWith("random,per-page,128,128,0.0,").endsWith(",buffered");
    assertThat(lines[2]).startsWith("random,combined,128,");
    assertThat(lines[5]).startsWith("sequential,per-page,128,128,0.0,");
    assertThat(lines[6]).startsWith("sequential,combined,128,2,98.4,"); // 128 contiguous pages: 2 batches of 64
  }

  @Test
  void badWorkloadIsBadUsage(@TempDir Path dir) {
    CliRun r = run("bench", "flush", "--workload", "zigzag", "--dir", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown workload zigzag");
  }
}
