package org.rustydb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;

/**
 * The public API: tables through {@link Table} and {@link Cursor}, auto-commit and explicit transactions,
 * the catalog (create, open, drop, list), statistics and the errors of DESIGN.md. Tests tagged
 * {@code needs-btree-wal} need the B+tree's WAL logging and key locks (abort undoes, crash keeps commits,
 * conflicts fail); core/pom.xml excludes them until that lands.
 */
class TableApiTest {

  @TempDir Path dir;

  static DatabaseOptions opts() {
    return DatabaseOptions.builder().poolFrames(256).checkpointInterval(Duration.ZERO)
        .durability(Durability.NO_SYNC).build();
  }

  static long seed() {
    String s = System.getProperty("rustydb.api.seed");
    long seed = s != null ? Long.parseLong(s) : new Random().nextLong();
    System.out.println("TableApiTest seed " + seed + " (rerun with -Drustydb.api.seed=" + seed + ")");
    return seed;
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static byte[] randomKey(Random r) {
    // A small key space, so puts replace and deletes hit; lengths 1..12 make prefixes share bytes.
    int n = r.nextInt(400);
    String k = "k" + Integer.toString(n, 7);
    return b(r.nextInt(10) == 0 ? k + "/" + "x".repeat(r.nextInt(20)) : k);
  }

  static byte[] randomValue(Random r) {
    int len = switch (r.nextInt(20)) {
      case 0 -> 3000 + r.nextInt(6000); // overflow pages
      case 1 -> 0;
      default -> 1 + r.nextInt(120);
    };
    byte[] v = new byte[len];
    r.nextBytes(v);
    return v;
  }

  /** The first {@code n} entries of {@code m}, in its order. */
  static NavigableMap<byte[], byte[]> first(NavigableMap<byte[], byte[]> m, int n) {
    int i = 0;
    for (byte[] k : m.keySet()) {
      if (i++ == n) return m.headMap(k, false);
    }
    return m;
  }

  static List<Map.Entry<byte[], byte[]>> drain(Cursor c) {
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
    try (c) {
      while (c.next()) out.add(Map.entry(c.key(), c.value()));
    }
    return out;
  }

  static void assertScanMatches(List<Map.Entry<byte[], byte[]>> got, NavigableMap<byte[], byte[]> expected, String what) {
    assertThat(got).as(what + ": entries").hasSize(expected.size());
    int i = 0;
    for (var e : expected.entrySet()) {
      assertThat(got.get(i).getKey()).as(what + ": key %d", i).isEqualTo(e.getKey());
      assertThat(got.get(i).getValue()).as(what + ": value of %s", new String(e.getKey(), UTF_8)).isEqualTo(e.getValue());
      i++;
    }
  }

  static NavigableMap<byte[], byte[]> range(TreeMap<byte[], byte[]> m, byte[] from, byte[] to) {
    if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) return new TreeMap<>(Arrays::compareUnsigned);
    NavigableMap<byte[], byte[]> v = m;
    if (from != null) v = v.tailMap(from, true);
    if (to != null) v = v.headMap(to, false);
    return v;
  }

  // ------------------------------------------------------------------ model-based

  @Test
  void randomOperationsMatchATreeMapAndSurviveReopen() {
    long seed = seed();
    Random r = new Random(seed);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("model", TableOptions.defaults());
      for (int op = 0; op < 4000; op++) {
        int kind = r.nextInt(100);
        if (kind < 40) {
          byte[] k = randomKey(r);
          byte[] v = randomValue(r);
          assertThat(t.put(k, v)).as("seed %d op %d: put is new", seed, op).isEqualTo(!model.containsKey(k));
          model.put(k, v);
        } else if (kind < 55) {
          byte[] k = randomKey(r);
          assertThat(t.delete(k)).as("seed %d op %d: delete found", seed, op).isEqualTo(model.remove(k) != null);
        } else if (kind < 80) {
          byte[] k = randomKey(r);
          assertThat(t.get(k)).as("seed %d op %d: get", seed, op).isEqualTo(model.get(k));
        } else if (kind < 90) {
          // An explicit transaction of several writes, committed: all of them show.
          try (Transaction txn = db.begin()) {
            int n = 1 + r.nextInt(8);
            for (int i = 0; i < n; i++) {
              byte[] k = randomKey(r);
              if (r.nextBoolean()) {
                byte[] v = randomValue(r);
                t.put(txn, k, v);
                model.put(k, v);
              } else {
                t.delete(txn, k);
                model.remove(k);
              }
              byte[] probe = randomKey(r);
              assertThat(t.get(txn, probe)).as("seed %d op %d: get in txn", seed, op).isEqualTo(model.get(probe));
            }
            txn.commit();
          }
        } else {
          byte[] from = r.nextInt(4) == 0 ? null : randomKey(r);
          byte[] to = r.nextInt(4) == 0 ? null : randomKey(r);
          NavigableMap<byte[], byte[]> expected = range(model, from, to);
          boolean descending = r.nextBoolean();
          if (descending) expected = expected.descendingMap();
          Cursor c = descending ? t.scanDescending(from, to) : t.scan(from, to);
          String what = "seed " + seed + " op " + op + (descending ? " descending scan" : " scan");
          if (r.nextInt(3) == 0) { // the cursor's own limit
            int limit = r.nextInt(40);
            c.limit(limit);
            expected = first(expected, limit);
            what += " limit " + limit;
          }
          assertScanMatches(drain(c), expected, what);
        }
      }
      assertScanMatches(drain(t.scan(null, null)), model, "seed " + seed + " final scan");
    }
    try (Database db = Database.open(dir, opts())) {
      Table t = db.openTable("model");
      assertScanMatches(drain(t.scan(null, null)), model, "seed " + seed + " after reopen");
      assertScanMatches(drain(t.scanDescending(null, null)), model.descendingMap(), "seed " + seed + " after reopen, descending");
    }
  }

  @Test
  void manyThreadsAutoCommitDisjointKeys() throws Exception {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("c", TableOptions.defaults());
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int w = 0; w < 4; w++) {
        int id = w;
        threads.add(Thread.ofPlatform().start(() -> {
          try {
            for (int i = 0; i < 500; i++) t.put(b("w" + id + "-" + i), b("v" + i));
            for (int i = 0; i < 500; i += 2) t.delete(b("w" + id + "-" + i));
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      for (Thread th : threads) th.join();
      assertThat(errors).isEmpty();
      assertThat(drain(t.scan(null, null))).hasSize(4 * 250);
      assertThat(t.get(b("w3-499"))).isEqualTo(b("v499"));
      assertThat(t.get(b("w3-498"))).isNull();
    }
  }

  // ------------------------------------------------------------------ transactions

  @Test
  void explicitTransactionCommitsAllItsWritesAndCloseAfterCommitKeepsThem() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      t.put(b("gone"), b("x"));
      Transaction txn;
      try (Transaction tx = db.begin()) {
        txn = tx;
        t.put(tx, b("a"), b("1"));
        t.put(tx, b("b"), b("2"));
        assertThat(t.delete(tx, b("gone"))).isTrue();
        tx.commit();
      }
      assertThat(txn.state()).isEqualTo(Transaction.State.COMMITTED);
      assertThat(t.get(b("a"))).isEqualTo(b("1"));
      assertThat(t.get(b("b"))).isEqualTo(b("2"));
      assertThat(t.get(b("gone"))).isNull();
      assertThatThrownBy(() -> t.put(txn, b("c"), b("3")))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("committed");
      assertThatThrownBy(() -> t.get(txn, b("a"))).isInstanceOf(OperationFailedException.class);
      assertThatThrownBy(() -> t.scan(txn, null, null)).isInstanceOf(OperationFailedException.class);
    }
  }

  @Test
  void closingAnUncommittedTransactionAbortsIt() {
    try (Database db = Database.open(dir, opts())) {
      db.createTable("t", TableOptions.defaults());
      Transaction txn;
      try (Transaction tx = db.begin()) {
        txn = tx;
      }
      assertThat(txn.state()).isEqualTo(Transaction.State.ABORTED);
      txn.close(); // harmless twice
      assertThat(db.transactions().table().size()).isZero();
    }
  }

  @Test
  void aFailedAutoCommitOperationLeavesNoTransactionBehind() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      assertThatThrownBy(() -> t.put(b("k"), new byte[t.maxValueSize() + 1]))
          .isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("value too large").hasMessageContaining(String.valueOf(t.maxValueSize()));
      assertThatThrownBy(() -> t.put(new byte[t.maxKeySize() + 1], b("v")))
          .isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("key too large").hasMessageContaining(String.valueOf(t.maxKeySize()));
      assertThatThrownBy(() -> t.delete(new byte[t.maxKeySize() + 1])).isInstanceOf(OperationFailedException.class);
      assertThat(db.transactions().table().size()).isZero();
      // At the limits exactly, both work.
      byte[] k = new byte[t.maxKeySize()];
      byte[] v = new byte[t.maxValueSize()];
      Arrays.fill(v, (byte) 7);
      assertThat(t.put(k, v)).isTrue();
      assertThat(t.get(k)).isEqualTo(v);
    }
  }

  @Tag("needs-btree-wal")
  @Test
  void abortUndoesTheTransactionsChanges() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      t.put(b("keep"), b("old"));
      t.put(b("del"), b("d"));
      try (Transaction tx = db.begin()) {
        t.put(tx, b("keep"), b("new"));
        t.put(tx, b("added"), b("a"));
        t.delete(tx, b("del"));
        tx.abort();
      }
      try (Transaction tx = db.begin()) {
        t.put(tx, b("added2"), b("a")); // closed without commit: aborted
      }
      assertThat(t.get(b("keep"))).isEqualTo(b("old"));
      assertThat(t.get(b("del"))).isEqualTo(b("d"));
      assertThat(t.get(b("added"))).isNull();
      assertThat(t.get(b("added2"))).isNull();
    }
  }

  @Tag("needs-btree-wal")
  @Test
  void aSecondWriterOfTheSameKeyFailsAtOnce() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      try (Transaction tx = db.begin()) {
        t.put(tx, b("k"), b("1"));
        assertThatThrownBy(() -> t.put(b("k"), b("2"))).isInstanceOf(OperationFailedException.class);
        tx.commit();
      }
      assertThat(t.get(b("k"))).isEqualTo(b("1"));
      assertThat(db.transactions().table().size()).isZero();
    }
  }

  @Tag("needs-btree-wal")
  @Test
  void committedWritesSurviveACrash() {
    Path image = dir.resolve("image");
    Path live = dir.resolve("live");
    try (Database db = Database.open(live, DatabaseOptions.builder().poolFrames(256).checkpointInterval(Duration.ZERO).build())) {
      Table t = db.createTable("t", TableOptions.defaults());
      db.checkpoint();
      for (int i = 0; i < 2000; i++) t.put(b("key" + i), b("value" + i)); // SYNC: durable when put returns
      try (Transaction tx = db.begin()) {
        t.put(tx, b("uncommitted"), b("x"));
        CrashImages.copy(live, image);
      }
    }
    try (Database db = Database.open(image, opts())) {
      Table t = db.openTable("t");
      for (int i = 0; i < 2000; i++) assertThat(t.get(b("key" + i))).isEqualTo(b("value" + i));
      assertThat(t.get(b("uncommitted"))).isNull();
    }
  }

  @Test
  void createAndDropSurviveACrashRightAfterThem() {
    Path live = dir.resolve("live");
    Path afterCreate = dir.resolve("after-create");
    Path afterDrop = dir.resolve("after-drop");
    String droppedFile;
    try (Database db = Database.open(live, opts())) {
      db.createTable("kept", TableOptions.defaults());
      Table gone = db.createTable("gone", TableOptions.defaults());
      droppedFile = db.listTables().stream().filter(i -> i.name().equals("gone")).findFirst().orElseThrow().file();
      CrashImages.copy(live, afterCreate);
      gone.put(b("k"), b("v"));
      db.dropTable("gone");
      CrashImages.copy(live, afterDrop);
    }
    try (Database db = Database.open(afterCreate, opts())) {
      assertThat(db.listTables()).extracting(TableInfo::name).containsExactly("gone", "kept");
      assertThat(drain(db.openTable("kept").scan(null, null))).isEmpty();
      db.openTable("gone").put(b("new"), b("1"));
    }
    try (Database db = Database.open(afterDrop, opts())) {
      assertThat(db.listTables()).extracting(TableInfo::name).containsExactly("kept");
      assertThat(afterDrop.resolve("base").resolve(droppedFile)).doesNotExist();
      assertThatThrownBy(() -> db.openTable("gone")).isInstanceOf(OperationFailedException.class);
      assertThat(db.createTable("gone", TableOptions.defaults()).get(b("k"))).isNull();
    }
  }

  // ------------------------------------------------------------------ catalog

  @Test
  void listTablesShowsEveryTableWithItsEngineSortedByName() {
    try (Database db = Database.open(dir, opts())) {
      db.createTable("zeta", TableOptions.builder().engine(EngineKind.BTREE).build());
      db.heapTable("heap1");
      db.createTable("alpha", TableOptions.defaults());
      assertThat(db.listTables()).extracting(TableInfo::name).containsExactly("alpha", "heap1", "zeta");
      assertThat(db.listTables()).extracting(TableInfo::engine)
          .containsExactly(EngineKind.BTREE, EngineKind.HEAP, EngineKind.BTREE);
      for (TableInfo info : db.listTables()) {
        assertThat(info.file()).matches("table_\\d+\\.dat");
        assertThat(db.root().resolve("base").resolve(info.file())).exists();
      }
      assertThat(db.listTables()).extracting(TableInfo::file).doesNotHaveDuplicates();
      assertThat(db.openTable("zeta")).isSameAs(db.openTable("zeta"));
      assertThat(db.openTable("zeta").engine()).isEqualTo(EngineKind.BTREE);
      assertThat(db.openTable("zeta").name()).isEqualTo("zeta");
    }
    try (Database db = Database.open(dir, opts())) {
      assertThat(db.listTables()).extracting(TableInfo::name).containsExactly("alpha", "heap1", "zeta");
    }
  }

  @Test
  void catalogLinesOfTheFirstFormatAreHeapTables() throws Exception {
    long rid;
    try (Database db = Database.open(dir, opts())) {
      Transaction tx = db.begin();
      rid = db.heapTable("old").insert(tx, b("row"));
      tx.commit();
    }
    Path catalog = dir.resolve("catalog");
    assertThat(Files.readString(catalog)).isEqualTo("old\ttable_1.dat\theap\n");
    Files.writeString(catalog, "old\ttable_1.dat\n");
    try (Database db = Database.open(dir, opts())) {
      assertThat(db.listTables()).containsExactly(new TableInfo("old", EngineKind.HEAP, "table_1.dat"));
      assertThat(db.heapTable("old").get(rid)).isEqualTo(b("row"));
      db.createTable("new", TableOptions.defaults());
    }
    assertThat(Files.readString(catalog)).isEqualTo("new\ttable_2.dat\tbtree\nold\ttable_1.dat\theap\n");
  }

  @Test
  void aDamagedCatalogLineIsACorruptionNamingTheLine() throws Exception {
    try (Database db = Database.open(dir, opts())) {
      db.createTable("t", TableOptions.defaults());
    }
    Files.writeString(dir.resolve("catalog"), "t\ttable_1.dat\tbtree\nbroken line\n");
    assertThatThrownBy(() -> Database.open(dir, opts()))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("line 2");
  }

  @Test
  void dropTableRemovesItDurablyAndItsHandleFailsClearly() {
    Path file;
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      Table other = db.createTable("other", TableOptions.defaults());
      for (int i = 0; i < 300; i++) t.put(b("k" + i), b("v".repeat(100)));
      other.put(b("x"), b("y"));
      file = dir.resolve("base").resolve(db.listTables().stream().filter(i -> i.name().equals("t")).findFirst().orElseThrow().file());
      assertThat(file).exists();
      Cursor open = t.scan(null, null);
      assertThat(open.next()).isTrue();

      db.dropTable("t");

      assertThat(file).doesNotExist();
      assertThat(db.listTables()).extracting(TableInfo::name).containsExactly("other");
      assertThatThrownBy(() -> t.get(b("k1"))).isInstanceOf(OperationFailedException.class).hasMessage("table t was dropped");
      assertThatThrownBy(() -> t.put(b("k1"), b("v"))).isInstanceOf(OperationFailedException.class).hasMessageContaining("dropped");
      assertThatThrownBy(open::next).isInstanceOf(OperationFailedException.class).hasMessageContaining("dropped");
      assertThatThrownBy(() -> db.openTable("t")).isInstanceOf(OperationFailedException.class).hasMessageContaining("no table t");
      assertThatThrownBy(() -> db.dropTable("t")).isInstanceOf(OperationFailedException.class).hasMessageContaining("no table t");
      assertThat(db.transactions().table().size()).isZero();
      assertThat(other.get(b("x"))).isEqualTo(b("y"));
      Table again = db.createTable("t", TableOptions.defaults());
      assertThat(again).isNotSameAs(t);
      assertThat(again.get(b("k1"))).isNull();
      again.put(b("fresh"), b("1"));
    }
    try (Database db = Database.open(dir, opts())) {
      assertThat(db.listTables()).extracting(TableInfo::name).containsExactly("other", "t");
      assertThat(drain(db.openTable("t").scan(null, null))).hasSize(1);
      assertThat(db.openTable("other").get(b("x"))).isEqualTo(b("y"));
    }
  }

  @Test
  void dropTableRefusesWhileAWriterOfItIsActive() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      Transaction tx = db.begin();
      t.put(tx, b("k"), b("v"));
      assertThatThrownBy(() -> db.dropTable("t")).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("transaction " + tx.id()).hasMessageContaining("still active");
      assertThat(t.get(tx, b("k"))).isEqualTo(b("v")); // still usable
      tx.commit();
      db.dropTable("t");
      assertThat(db.listTables()).isEmpty();
    }
  }

  @Test
  void dropHeapTable() {
    try (Database db = Database.open(dir, opts())) {
      db.heapTable("h");
      Transaction tx = db.begin();
      db.heapTable("h").insert(tx, b("row")); // a transaction that wrote (one that changed nothing is not active)
      assertThatThrownBy(() -> db.dropTable("h")).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("transactions are active");
      tx.commit();
      db.dropTable("h");
      assertThat(db.listTables()).isEmpty();
      assertThat(db.heapTable("h").get(1L << 12)).isNull(); // a new, empty heap of the same name
    }
  }

  // ------------------------------------------------------------------ errors

  @Test
  void errorsSayWhatIsWrong() {
    try (Database db = Database.open(dir, opts())) {
      db.createTable("t", TableOptions.defaults());
      db.heapTable("h");
      assertThatThrownBy(() -> db.createTable("t", TableOptions.defaults()))
          .isInstanceOf(OperationFailedException.class).hasMessage("table t already exists");
      assertThatThrownBy(() -> db.createTable("h", TableOptions.defaults()))
          .isInstanceOf(OperationFailedException.class).hasMessage("table h already exists");
      assertThatThrownBy(() -> db.openTable("missing"))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("no table missing");
      assertThatThrownBy(() -> db.createTable("x", TableOptions.builder().engine(EngineKind.HEAP).build()))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("heapTable");
      assertThatThrownBy(() -> db.openTable("h"))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("HEAP").hasMessageContaining("heapTable");
      assertThatThrownBy(() -> db.heapTable("t"))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("BTREE");
      for (String bad : new String[] {"", "a b", "x/y", "é", "n".repeat(65)}) {
        assertThatThrownBy(() -> db.createTable(bad, TableOptions.defaults()))
            .as("name '%s'", bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table names");
        assertThatThrownBy(() -> db.openTable(bad)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> db.dropTable(bad)).isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(db.listTables()).hasSize(2);
      assertThatThrownBy(() -> EngineKind.parse("lsm")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> DatabaseOptions.builder().pageCachePolicy("fifo"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lru");
    }
  }

  @Test
  void aClosedDatabaseAndItsHandlesThrowClosedException() {
    Database db = Database.open(dir, opts());
    Table t = db.createTable("t", TableOptions.defaults());
    t.put(b("a"), b("1"));
    Cursor c = t.scan(null, null);
    db.close();
    db.close(); // harmless twice
    assertThatThrownBy(() -> db.createTable("u", TableOptions.defaults())).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> db.openTable("t")).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> db.dropTable("t")).isInstanceOf(ClosedException.class);
    assertThatThrownBy(db::listTables).isInstanceOf(ClosedException.class);
    assertThatThrownBy(db::stats).isInstanceOf(ClosedException.class);
    assertThatThrownBy(db::begin).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> t.get(b("a"))).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> t.put(b("a"), b("2"))).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> t.delete(b("a"))).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> t.scan(null, null)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(c::next).isInstanceOf(ClosedException.class);
  }

  // ------------------------------------------------------------------ cursors, options, stats

  @Test
  void cursorsHonourBoundsDirectionAndTheirOwnState() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      for (String k : new String[] {"a", "b", "c", "d"}) t.put(b(k), b(k.toUpperCase()));
      assertThat(drain(t.scan(b("b"), b("d")))).extracting(e -> new String(e.getKey(), UTF_8)).containsExactly("b", "c");
      assertThat(drain(t.scanDescending(b("b"), b("d")))).extracting(e -> new String(e.getKey(), UTF_8)).containsExactly("c", "b");
      assertThat(drain(t.scanDescending(null, b("c")))).extracting(e -> new String(e.getValue(), UTF_8)).containsExactly("B", "A");
      assertThat(drain(t.scan(b("d"), b("b")))).isEmpty();
      try (Transaction tx = db.begin()) {
        t.put(tx, b("bb"), b("BB"));
        assertThat(drain(t.scan(tx, b("b"), b("c")))).hasSize(2);
        assertThat(drain(t.scanDescending(tx, null, null))).hasSize(5);
        tx.commit();
      }
      Cursor c = t.scan(null, null);
      assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      assertThat(c.next()).isTrue();
      byte[] k = c.key();
      k[0] = 'z'; // a copy
      assertThat(c.key()).isEqualTo(b("a"));
      c.close();
      c.close();
      assertThatThrownBy(c::next).isInstanceOf(ClosedException.class);
    }
  }

  @Test
  void statsReportEachSubsystem() {
    try (Database db = Database.open(dir, DatabaseOptions.builder().poolBytes(1 << 20).pageCachePolicy("arc")
        .checkpointInterval(Duration.ZERO).durability(Durability.NO_SYNC).build())) {
      assertThat(db.options().poolFrames()).isEqualTo(256);
      Table t = db.createTable("t", TableOptions.defaults());
      for (int i = 0; i < 3000; i++) t.put(b("key" + i), b("v".repeat(500)));
      for (int i = 0; i < 3000; i++) t.get(b("key" + i));
      db.checkpoint();
      DatabaseStats s = db.stats();
      assertThat(s.bufferPool().totalFrames()).isEqualTo(256);
      assertThat(s.bufferPool().hitCount()).isPositive();
      assertThat(s.bufferPool().evictions()).isPositive(); // 3000 x 500 bytes do not fit in 1 MiB
      assertThat(s.wal().commits()).isGreaterThanOrEqualTo(3000);
      assertThat(s.io().writes()).isPositive();
      assertThat(s.ioEngine()).isEqualTo(db.ioEngineName());
      // The pool's 1 MiB of frames come from the database's memory budget (pool + 64 MiB by default).
      assertThat(s.memory().largeObjectAllocated()).isGreaterThanOrEqualTo(1 << 20);
      assertThat(s.memory().totalAllocated() + s.memory().totalFree()).isEqualTo((1L << 20) + (64L << 20));
      assertThat(s.memory().memoryPressure()).isBetween(0.0, 1.0);
      assertThat(s.checkpoints()).isEqualTo(db.checkpointCount()).isGreaterThanOrEqualTo(2);
    }
  }

  /** An auto-committed write of a key another transaction holds waits (retrying) until that one ends. */
  @Test
  void anAutoCommittedWriteWaitsForTheHolderOfItsKey() throws Exception {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      Transaction holder = db.begin();
      t.put(holder, b("hot"), b("holder"));
      java.util.concurrent.CompletableFuture<Boolean> auto =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> t.put(b("hot"), b("auto")));
      // Give a broken retry ample time to fail; a working one never finishes before the commit below.
      long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
      while (!auto.isDone() && System.nanoTime() < until) Thread.onSpinWait();
      assertThat(auto.isDone()).as("the auto-commit put waits while the key is held").isFalse();
      holder.commit();
      assertThat(auto.get(30, java.util.concurrent.TimeUnit.SECONDS)).isFalse(); // it replaced the holder's value
      assertThat(t.get(b("hot"))).isEqualTo(b("auto"));
      assertThat(db.transactions().table().size()).isZero();
    }
  }
}
