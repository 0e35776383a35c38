package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BenchAllocCommandTest {

  @Test
  void csvHasTheHeaderAndARowPerAllocatorAndSize() {
    CliRun r = run("bench", "alloc", "--format", "csv", "--quick", "--iterations", "1", "--sizes", "64,4096",
        "--large-sizes", "2097152");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("allocator,size,ns_per_op");
    List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",")).toList();
    for (String[] row : rows) {
      assertThat(row).hasSize(3);
      assertThat(Double.parseDouble(row[2])).as(String.join(",", row)).isPositive();
    }
    Set<String> keys = rows.stream().map(x -> x[0] + "/" + x[1]).collect(Collectors.toSet());
    assertThat(keys).contains("slab/64", "slab/4096", "slab-segment/64", "malloc/64", "malloc/4096",
        "jdk-arena/64", "direct-buffer/4096", "arena/64", "arena/4096", "arena-reset/64", "large/2097152",
        "malloc/2097152", "jdk-arena/2097152", "direct-buffer/2097152");
    assertThat(rows).hasSize(5 * 2 + 2 + 1 + 4);
  }

  @Test
  void tableSaysHowTheGoalsFared() {
    CliRun r = run("bench", "alloc", "--quick", "--iterations", "1", "--sizes", "128", "--large-sizes", "1048576");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("allocator", "ns/op", "slab/malloc at   128 bytes", "arena reset:");
  }

  @Test
  void badSizesAreBadUsage() {
    assertThat(run("bench", "alloc", "--sizes", "5000").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(run("bench", "alloc", "--format", "xml").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(run("bench", "alloc", "--iterations", "0").exit()).isEqualTo(RustyDbCommand.EXIT_USAGE);
    assertThat(Arrays.asList(run("bench", "alloc", "--help").out().split("\n"))).anyMatch(l -> l.contains("--format"));
  }
}
