package org.rustydb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rustydb.cli.CliRun.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** put, get, delete, scan, load and tables: run in-process, output and exit codes checked. */
class TableCommandsTest {

  @TempDir Path tmp;

  private String db() {
    return tmp.resolve("db").toString();
  }

  private CliRun ok(String... args) {
    CliRun r = run(args);
    assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
    return r;
  }

  @Test
  void putCreatesDatabaseAndTableThenGetDeleteAndTablesWork() {
    assertThat(ok("put", db(), "users", "alice", "Alice A.").out()).isEqualTo("inserted\n");
    assertThat(ok("put", db(), "users", "alice", "Alice B.").out()).isEqualTo("replaced\n");
    ok("put", db(), "users", "bob", "héllo, wörld");
    ok("put", db(), "cities", "paris", "fr");
    assertThat(ok("get", db(), "users", "alice").out()).isEqualTo("Alice B.\n");
    assertThat(ok("get", db(), "users", "bob").out()).isEqualTo("héllo, wörld\n");
    CliRun tables = ok("tables", db());
    assertThat(tables.out()).isEqualTo("table   engine  file\ncities  btree   base/table_2.dat\nusers   btree   base/table_1.dat\n");

    CliRun missing = run("get", db(), "users", "carol");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("get: no key carol in table users\n");
    assertThat(missing.out()).isEmpty();

    assertThat(ok("delete", db(), "users", "alice").out()).isEqualTo("deleted\n");
    CliRun again = run("delete", db(), "users", "alice");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("no key alice in table users");
    assertThat(run("get", db(), "users", "alice").exit()).isEqualTo(1);
  }

  @Test
  void missingDatabaseOrTableFailsClearly() {
    CliRun noDb = run("get", tmp.resolve("nothing").toString(), "t", "k");
    assertThat(noDb.exit()).isEqualTo(1);
    assertThat(noDb.err()).contains("rustydb get: no database at");
    assertThat(Files.exists(tmp.resolve("nothing"))).as("get never creates a database").isFalse();
    assertThat(run("scan", tmp.resolve("nothing").toString(), "t").err()).contains("no database at");
    assertThat(run("tables", tmp.resolve("nothing").toString()).err()).contains("no database at");
    ok("put", db(), "t", "k", "v");
    CliRun noTable = run("get", db(), "other", "k");
    assertThat(noTable.exit()).isEqualTo(1);
    assertThat(noTable.err()).contains("rustydb get: no table other");
    CliRun badName = run("put", db(), "bad name", "k", "v");
    assertThat(badName.exit()).isEqualTo(1);
    assertThat(badName.err()).contains("table names are 1..64 of");
    CliRun tooLong = run("put", db(), "t", "k".repeat(300), "v");
    assertThat(tooLong.exit()).isEqualTo(1);
    assertThat(tooLong.err()).contains("key too large: 300 bytes, max 256");
  }

  @Test
  void badUsageExitsTwo() {
    assertThat(run("put", db(), "t", "k").exit()).isEqualTo(2);
    assertThat(run("get", db(), "t").exit()).isEqualTo(2);
    assertThat(run("scan", db()).exit()).isEqualTo(2);
    assertThat(run("scan", db(), "t", "--limit", "x").exit()).isEqualTo(2);
    assertThat(run("scan", db(), "t", "--limit", "-1").exit()).isEqualTo(2);
    assertThat(run("load", db(), "t").exit()).isEqualTo(2);
    assertThat(run("tables").exit()).isEqualTo(2);
    assertThat(run("load", "--help").exit()).isZero();
  }

  @Test
  void scanHonoursBoundsLimitAndDirection() {
    for (String k : new String[] {"a", "b", "c", "d", "e"}) ok("put", db(), "t", k, k.toUpperCase());
    assertThat(ok("scan", db(), "t").out()).isEqualTo("a\tA\nb\tB\nc\tC\nd\tD\ne\tE\n");
    assertThat(ok("scan", db(), "t", "--from", "b", "--to", "d").out()).isEqualTo("b\tB\nc\tC\n");
    assertThat(ok("scan", db(), "t", "--from", "b", "--limit", "2").out()).isEqualTo("b\tB\nc\tC\n");
    assertThat(ok("scan", db(), "t", "--reverse", "--to", "d").out()).isEqualTo("c\tC\nb\tB\na\tA\n");
    assertThat(ok("scan", db(), "t", "--reverse", "--limit", "1").out()).isEqualTo("e\tE\n");
    assertThat(ok("scan", db(), "t", "--from", "x").out()).isEmpty();
    assertThat(ok("scan", db(), "t", "--limit", "0").out()).isEmpty();
  }

  @Test
  void hexKeysAndValues() {
    ok("put", "--hex", db(), "bin", "00ff10", "deadbeef");
    assertThat(ok("get", "--hex", db(), "bin", "00ff10").out()).isEqualTo("deadbeef\n");
    assertThat(ok("scan", "--hex", db(), "bin", "--from", "00").out()).isEqualTo("00ff10\tdeadbeef\n");
    CliRun bad = run("put", "--hex", db(), "bin", "0g", "00");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("KEY is not an even number of hex digits: 0g");
    assertThat(ok("delete", "--hex", db(), "bin", "00ff10").out()).isEqualTo("deleted\n");
  }

  @Test
  void loadCsvWithHeaderQuotesAndBatches() throws IOException {
    Path csv = tmp.resolve("data.csv");
    List<String> lines = new ArrayList<>(List.of("key,value", "\"a,b\",\"say \"\"hi\"\"\"", "plain,x,y,z", ""));
    for (int i = 0; i < 2500; i++) lines.add(String.format("k%05d,value %d", i, i));
    Files.write(csv, lines);
    CliRun r = ok("load", db(), "t", csv.toString(), "--batch", "1000");
    assertThat(r.out()).contains("loaded 2,502 records into t in 3 transactions: 2,502 new, 0 replaced");
    assertThat(r.err()).as("the progress bar (not a terminal: one line a second, and the last)").contains("load t").contains("2502/2502");
    assertThat(ok("get", db(), "t", "a,b").out()).isEqualTo("say \"hi\"\n");
    assertThat(ok("get", db(), "t", "plain").out()).isEqualTo("x,y,z\n");
    assertThat(ok("get", db(), "t", "k02499").out()).isEqualTo("value 2499\n");
    assertThat(ok("scan", db(), "t", "--from", "k", "--to", "l").out().lines()).hasSize(2500);
    CliRun again = ok("load", db(), "t", csv.toString(), "--no-progress");
    assertThat(again.out()).contains("0 new, 2,502 replaced");
    assertThat(again.err()).isEmpty();
  }

  @Test
  void loadJsonLines() throws IOException {
    Path jsonl = tmp.resolve("data.jsonl");
    Files.writeString(jsonl, """
        {"key": "a", "value": "1"}
        {"id": 7, "tags": ["x", {"y": "}"}], "value": "tab\\there", "key": "b\\u00e9"}

        {"key":"c","value":"","extra":null}
        """);
    CliRun r = ok("load", db(), "j", jsonl.toString(), "--no-progress");
    assertThat(r.out()).contains("loaded 3 records into j in 1 transactions");
    assertThat(ok("scan", db(), "j").out()).isEqualTo("a\t1\nbé\ttab\there\nc\t\n");
    Path txt = tmp.resolve("data.txt");
    Files.writeString(txt, "{\"key\":\"z\",\"value\":\"26\"}\n");
    assertThat(run("load", db(), "j", txt.toString()).exit()).as("no format from .txt").isEqualTo(2);
    ok("load", db(), "j", txt.toString(), "--format", "jsonl", "--no-progress");
    assertThat(ok("get", db(), "j", "z").out()).isEqualTo("26\n");
  }

  @Test
  void loadStopsAtABadRecordNamingItsLineAndKeepsEarlierBatches() throws IOException {
    Path csv = tmp.resolve("bad.csv");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 25; i++) lines.add("k" + i + ",v" + i);
    lines.add("no comma here");
    Files.write(csv, lines);
    CliRun r = run("load", db(), "t", csv.toString(), "--batch", "10", "--no-progress");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("bad.csv:26: expected key,value (20 records committed before this line");
    assertThat(ok("get", db(), "t", "k19").out()).isEqualTo("v19\n");
    Path json = tmp.resolve("bad.jsonl");
    Files.writeString(json, "{\"key\":\"a\"}\n");
    assertThat(run("load", db(), "t", json.toString(), "--no-progress").err()).contains("bad.jsonl:1: no \"value\" member");
    assertThat(run("load", db(), "t", tmp.resolve("none.csv").toString()).err()).contains("no file");
  }
}
