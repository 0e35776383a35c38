package org.rustydb.cli;

import static org.rustydb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init, demo, verify, inspect control, inspect page: run in-process, output and exit codes checked. */
class DiskCommandsTest {

  @TempDir Path tmp;

  /** The demo's page files only (no B+tree table: verify checks slotted pages, and counts them exactly). */
  private Path demo() {
    Path dir = tmp.resolve("db");
    CliRun r = run("demo", "--pages", "400", "--rows", "0", dir.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    return dir;
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x08);
    }
  }

  @Test
  void initCreatesADataDirectoryOnce() {
    Path dir = tmp.resolve("new");
    CliRun r = run("init", dir.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("initialized data directory").contains("CLEAN_SHUTDOWN");
    assertThat(dir.resolve("base")).isDirectory();
    assertThat(dir.resolve("control")).isRegularFile();
    CliRun again = run("init", dir.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("rustydb init: ").contains("not empty");
  }

  @Test
  void badUsageExitsTwo() {
    assertThat(run("init").exit()).isEqualTo(2);
    assertThat(run("init", "a", "b").exit()).isEqualTo(2);
    assertThat(run("verify").exit()).isEqualTo(2);
    assertThat(run("inspect").exit()).isEqualTo(2);
    assertThat(run("inspect", "control").exit()).isEqualTo(2);
    assertThat(run("inspect", "page", "f").exit()).isEqualTo(2);
    assertThat(run("inspect", "page", "f", "notanumber").exit()).isEqualTo(2);
    assertThat(run("demo", "--pages", "2", tmp.resolve("x").toString()).exit()).isEqualTo(2);
    assertThat(run("demo", "--rows", "-1", tmp.resolve("x").toString()).exit()).isEqualTo(2);
    assertThat(run("demo", "--bogus").exit()).isEqualTo(2);
    assertThat(run("init", "--help").exit()).isZero();
  }

  @Test
  void demoWritesReadsAndVerifiesPages() {
    Path dir = tmp.resolve("db");
    CliRun r = run("demo", "--pages", "400", "--rows", "3000", "--ops", "3000", dir.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("created data directory " + dir.toAbsolutePath())
        .contains("wrote   400 pages")
        .contains("read    400 pages back after reopening, every tuple and checksum matches")
        .contains("verify  4 files, 404 pages: no problems")
        .contains("base/table_1_idx_btree.dat")
        .contains("B+tree  table users: loaded 3,000 rows in 3 transactions")
        .contains("mixed workload: 3,000 operations")
        .contains("every result checked")
        .containsPattern("reopened and scanned all [0-9,]+ rows: every one matches")
        .contains("stats   buffer pool:").contains("WAL: ").contains("I/O (");
    CliRun tables = run("tables", dir.toString());
    assertThat(tables.out()).contains("users  btree");
    assertThat(dir.resolve("base/table_2_idx_hash.dat")).isRegularFile();
    CliRun again = run("demo", dir.toString());
    assertThat(again.exit()).as("an existing directory is never overwritten").isEqualTo(1);
    assertThat(again.err()).contains("not empty");
  }

  @Test
  void verifyPassesASoundDirectoryAndFailsACorruptOne() throws IOException {
    Path dir = demo();
    CliRun ok = run("verify", dir.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).contains("4 file(s), 404 page(s) (400 data, 0 empty, 0 free)").contains("OK");
    flipByte(dir.resolve("base/table_2.dat"), 42L * 4096 + 2000);
    CliRun bad = run("verify", dir.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("base/table_2.dat: page 42: checksum mismatch").contains("FAILED: 1 problem(s)");
  }

  @Test
  void verifyReportsATruncatedFileAndAMissingDirectory() throws IOException {
    Path dir = demo();
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("base/table_1.dat").toFile(), "rw")) {
      raf.setLength(4096 * 10);
    }
    CliRun bad = run("verify", dir.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("base/table_1.dat: truncated");
    CliRun missing = run("verify", tmp.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("rustydb verify: no data directory at");
  }

  @Test
  void inspectControlShowsTheFieldsAndFallsBackToTheCopy() throws IOException {
    Path dir = demo();
    CliRun ok = run("inspect", "control", dir.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).contains("state                CLEAN_SHUTDOWN").contains("system id").contains("redo start LSN");
    Files.write(dir.resolve("control"), new byte[512]);
    CliRun fell = run("inspect", "control", dir.toString());
    assertThat(fell.exit()).isEqualTo(1);
    assertThat(fell.out()).contains("control.bak").contains("WARNING: control is damaged (no control-file magic");
    assertThat(run("verify", dir.toString()).out()).contains("control: no control-file magic");
    Files.write(dir.resolve("control.bak"), new byte[7]);
    CliRun both = run("inspect", "control", dir.toString());
    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.err()).contains("rustydb inspect control: no usable control file")
        .contains("control.bak: too short");
  }

  @Test
  void inspectPageShowsHeaderSlotsAndTuples() throws IOException {
    Path dir = demo();
    Path file = dir.resolve("base/table_1.dat");
    CliRun r = run("inspect", "page", file.toString(), "3");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("page id            1:3")
        .contains("checksum")
        .contains("(ok)")
        .contains("type               HEAP")
        .contains("slot  offset  length")
        .contains("|page 1:3 tuple 0|")
        .contains("problem            none");
    CliRun header = run("inspect", "page", file.toString(), "0");
    assertThat(header.out()).contains("file header page").contains("file id            1").contains("page count         101");
    CliRun past = run("inspect", "page", file.toString(), "100000");
    assertThat(past.exit()).isEqualTo(1);
    assertThat(past.err()).contains("past the end");
    flipByte(file, 3L * 4096 + 4090);
    CliRun bad = run("inspect", "page", file.toString(), "3");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("MISMATCH").contains("problem            checksum mismatch");
  }
}
