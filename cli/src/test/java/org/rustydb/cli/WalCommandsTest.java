package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.wal.Durability;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.Lsn;
import org.rustydb.wal.WalOptions;
import org.rustydb.wal.WalWriter;

class WalCommandsTest {

  @TempDir Path dir;

  @Test
  void inspectWalListsRecordsOnePerLine() {
    long begin, commit;
    try (WalWriter w = WalWriter.open(dir, WalOptions.builder().segmentSize(1 << 20).bufferSize(64 << 10).build())) {
      begin = w.append(new LogRecord.Begin(7, Lsn.NULL));
      long upd = w.append(new LogRecord.Update(7, begin, 3, (1L << 40) | 5, new byte[10], new byte[4]));
      commit = w.commit(new LogRecord.Commit(7, upd, 1_700_000_000_000L), Durability.SYNC);
    }
    CliRun r = run("inspect", "wal", dir.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(0);
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(5);
    assertThat(lines[0]).startsWith("LSN").contains("TYPE", "TXN", "PREV_LSN", "LENGTH", "SUMMARY");
    assertThat(lines[1]).startsWith(Lsn.toString(begin)).contains("BEGIN", " 7 ", "28");
    assertThat(lines[2]).contains("UPDATE", Lsn.toString(begin), "rm=3 page=1:5 redo=10B undo=4B");
    assertThat(lines[3]).startsWith(Lsn.toString(commit)).contains("COMMIT", "time=2023-11-14T22:13:20Z");
    assertThat(lines[4]).startsWith("end of log at ").contains("3 records");
    // The wal/ directory itself works too.
    assertThat(run("inspect", "wal", dir.resolve("wal").toString()).out()).isEqualTo(r.out());
  }

  @Test
  void inspectWalReportsAGarbageHeaderWithTheFile() throws Exception {
    try (WalWriter w = WalWriter.open(dir, WalOptions.builder().segmentSize(1 << 20).bufferSize(64 << 10).build())) {
      w.commit(new LogRecord.Commit(1, 0, 0), Durability.SYNC);
    }
    Path seg = dir.resolve("wal").resolve("000000010000000000000001");
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("garbage!".getBytes()), 0);
    }
    CliRun r = run("inspect", "wal", dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(seg.toString()).contains("not a WAL segment");
  }

  @Test
  void inspectWithoutALogOrArgumentsFailsClearly() {
    CliRun none = run("inspect", "wal", dir.toString());
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("no WAL segments");
    assertThat(run("inspect", "wal").exit()).isEqualTo(2);
    assertThat(run("inspect").exit()).isEqualTo(2);
  }

  @Test
  void benchCommitPrintsTheCsvHeaderAndOneRowPerThreadCount() {
    CliRun r = run("bench", "commit", "--dir", dir.toString(), "--threads", "1,4", "--seconds", "0.2", "--format", "csv");
    assertThat(r.exit()).as(r.err()).isEqualTo(0);
    String[] lines = r.out().split("\n");
    assertThat(lines[0]).isEqualTo("threads,commits_per_s,p50_us,p99_us");
    assertThat(lines).hasSize(3);
    assertThat(lines[1]).matches("1,\\d+,\\d+,\\d+");
    assertThat(lines[2]).matches("4,\\d+,\\d+,\\d+");
    assertThat(run("bench", "commit", "--dir", dir.toString(), "--format", "xml").exit()).isEqualTo(2);
  }

  @Test
  void benchCommitWritesTheLogThroughTheEngineWhenAsked() {
    CliRun r = run("bench", "commit", "--dir", dir.toString(), "--threads", "2", "--seconds", "0.2", "--format", "csv",
        "--wal-io", "engine");
    assertThat(r.exit()).as(r.err()).isEqualTo(0);
    assertThat(r.out().split("\n")[1]).matches("2,\\d+,\\d+,\\d+");
    assertThat(run("bench", "commit", "--dir", dir.toString(), "--wal-io", "mmap").exit()).isEqualTo(2);
  }
}
