package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.CorruptionException;
import org.rustydb.CrashImages;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.disk.ControlFile;
import org.rustydb.disk.DatabaseState;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.Durability;
import org.rustydb.wal.WalReader;

class RecoveryTest {

  @TempDir Path tmp;

  static DatabaseOptions opts(int frames) {
    return DatabaseOptions.builder().poolFrames(frames).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO).build();
  }

  static TreeMap<Long, String> contents(HeapTable t) {
    TreeMap<Long, String> m = new TreeMap<>();
    t.scan((rid, v) -> m.put(rid, new String(v)));
    return m;
  }

  /** Committed rows, a loser with changes both flushed by a checkpoint and only in the log. */
  private TreeMap<Long, String> crashWithLoser(Path dir, Path image) {
    TreeMap<Long, String> committed = new TreeMap<>();
    try (Database db = Database.open(dir, opts(16))) {
      HeapTable t = db.heapTable("t");
      for (int i = 0; i < 200; i++) {
        Transaction tx = db.begin();
        String v = "row-" + i + "-" + "p".repeat(i % 50);
        long rid = t.insert(tx, v.getBytes());
        tx.commit();
        committed.put(rid, v);
      }
      Transaction loser = db.begin();
      List<Long> rids = new ArrayList<>(committed.keySet());
      for (int i = 0; i < 60; i++) t.update(loser, rids.get(i), ("loser-" + i).getBytes());
      for (int i = 60; i < 80; i++) t.delete(loser, rids.get(i));
      for (int i = 0; i < 30; i++) t.insert(loser, ("loser-new-" + i).getBytes());
      db.checkpoint(); // the loser's changes reach the page files
      for (int i = 80; i < 120; i++) t.update(loser, rids.get(i), ("loser-late-" + i).getBytes());
      Transaction w = db.begin();
      long rid = t.insert(w, "winner".getBytes());
      w.commit(Durability.SYNC); // also makes the loser's records durable
      committed.put(rid, "winner");
      CrashImages.copy(dir, image);
    }
    return committed;
  }

  @Test
  void crashKeepsCommittedAndUndoesTheLoser() throws IOException {
    Path image = tmp.resolve("image");
    TreeMap<Long, String> committed = crashWithLoser(tmp.resolve("db"), image);
    assertThat(new ControlFile(image).read().state()).isEqualTo(DatabaseState.IN_PRODUCTION);
    try (Database db = Database.open(image, opts(16))) {
      RecoveryReport r = db.recoveryReport();
      assertThat(r.losers()).isEqualTo(1);
      assertThat(r.recordsUndone()).isEqualTo(150);
      assertThat(r.bytesRead()).isPositive();
      assertThat(contents(db.heapTable("t"))).isEqualTo(committed);
    }
    assertThat(new ControlFile(image).read().state()).isEqualTo(DatabaseState.CLEAN_SHUTDOWN);
    try (Database db = Database.open(image, opts(16))) {
      assertThat(db.recoveryReport().losers()).isZero();
      assertThat(contents(db.heapTable("t"))).isEqualTo(committed);
    }
  }

  @Test
  void crashDuringRecoveryThenRecoverAgain() {
    Path image = tmp.resolve("image");
    TreeMap<Long, String> committed = crashWithLoser(tmp.resolve("db"), image);
    // Count the progress calls of one full recovery on a copy, then crash a fresh copy at several points.
    Path probe = tmp.resolve("probe");
    CrashImages.copy(image, probe);
    AtomicInteger calls = new AtomicInteger();
    DatabaseOptions counting = DatabaseOptions.builder().poolFrames(16).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).recoveryProgress(lsn -> calls.incrementAndGet()).build();
    Database.open(probe, counting).close();
    int total = calls.get();
    assertThat(total).isGreaterThan(150);
    for (int k : new int[] {1, total / 3, total / 2, total - 100, total - 40, total - 1}) {
      Path run = tmp.resolve("run" + k);
      Path mid = tmp.resolve("mid" + k);
      CrashImages.copy(image, run);
      AtomicInteger n = new AtomicInteger();
      DatabaseOptions crashing = DatabaseOptions.builder().poolFrames(16).walSegmentSize(1 << 20)
          .checkpointInterval(Duration.ZERO).recoveryProgress(lsn -> {
            if (n.incrementAndGet() == k) CrashImages.copy(run, mid);
          }).build();
      Database.open(run, crashing).close();
      assertThat(new ControlFile(mid).read().state()).as("crash at %d", k).isEqualTo(DatabaseState.IN_RECOVERY);
      try (Database db = Database.open(mid, opts(16))) {
        assertThat(contents(db.heapTable("t"))).as("crash at step %d of %d", k, total).isEqualTo(committed);
      }
    }
  }

  /** Berkeley DB JE's stepwise test: cut the log at every record boundary (and mid-record) and recover. */
  @Test
  void truncatedLogRecoversTheCommittedPrefix() throws IOException {
    Path dir = tmp.resolve("db");
    List<long[]> commitEnds = new ArrayList<>(); // {lsn after the commit record, index into states}
    List<TreeMap<Long, String>> states = new ArrayList<>();
    Path image = tmp.resolve("image");
    try (Database db = Database.open(dir, opts(256))) {
      HeapTable t = db.heapTable("t");
      TreeMap<Long, String> model = new TreeMap<>();
      states.add(new TreeMap<>(model));
      commitEnds.add(new long[] {0, 0});
      for (int i = 0; i < 25; i++) {
        Transaction tx = db.begin();
        TreeMap<Long, String> next = new TreeMap<>(model);
        long rid = t.insert(tx, ("a" + i).getBytes());
        next.put(rid, "a" + i);
        if (i > 0) {
          long old = model.firstKey() + i - 1;
          if (model.containsKey(old)) {
            t.update(tx, old, ("b" + i).getBytes());
            next.put(old, "b" + i);
          }
        }
        if (i % 4 == 3) {
          tx.abort();
          continue;
        }
        if (i % 5 == 4) {
          t.delete(tx, rid);
          next.remove(rid);
        }
        tx.commit(Durability.SYNC);
        model = next;
        states.add(new TreeMap<>(model));
        commitEnds.add(new long[] {db.transactions().wal().currentLsn(), states.size() - 1});
      }
      Transaction open = db.begin();
      t.insert(open, "never".getBytes());
      db.transactions().wal().flushAll();
      CrashImages.copy(dir, image);
    }
    List<long[]> records = new ArrayList<>(); // {lsn, length}
    try (WalReader r = WalReader.open(image.resolve("wal"))) {
      while (r.next()) records.add(new long[] {r.lsn(), r.length()});
    }
    assertThat(records.size()).isGreaterThan(100);
    Path seg = Files.list(image.resolve("wal")).sorted().findFirst().orElseThrow();
    long segStart = records.get(0)[0] - 64; // LSN of the segment's first byte (header is 64 bytes)
    int cuts = 0;
    for (int i = 0; i < records.size(); i++) {
      for (long cut : new long[] {records.get(i)[0], records.get(i)[0] + records.get(i)[1] / 2}) {
        if (cut != records.get(i)[0] && i % 7 != 0) continue; // mid-record cuts for a sample
        Path copy = tmp.resolve("cut" + cuts++);
        CrashImages.copy(image, copy);
        Path s = copy.resolve("wal").resolve(seg.getFileName().toString());
        try (RandomAccessFile f = new RandomAccessFile(s.toFile(), "rw")) {
          long from = cut - segStart;
          f.seek(from);
          f.write(new byte[(int) (f.length() - from)]);
        }
        TreeMap<Long, String> expected = states.get(0);
        for (long[] c : commitEnds) if (c[0] != 0 && c[0] <= cut) expected = states.get((int) c[1]);
        try (Database db = Database.open(copy, opts(64))) {
          assertThat(contents(db.heapTable("t"))).as("log cut at %d (record %d)", cut, i).isEqualTo(expected);
        }
        deleteTree(copy);
      }
    }
  }

  @Test
  void damagedControlFileOrLogIsAClearError() throws IOException {
    Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir, opts(16))) {
      Transaction tx = db.begin();
      db.heapTable("t").insert(tx, "x".getBytes());
      tx.commit();
    }
    Path bad = tmp.resolve("badcontrol");
    CrashImages.copy(dir, bad);
    Files.write(bad.resolve("control"), "garbage".getBytes());
    Files.write(bad.resolve("control.bak"), new byte[3]);
    assertThatThrownBy(() -> Database.open(bad, opts(16))).isInstanceOf(CorruptionException.class)
        .hasMessageContaining("control");
    Path badWal = tmp.resolve("badwal");
    CrashImages.copy(dir, badWal);
    Path seg = Files.list(badWal.resolve("wal")).sorted().findFirst().orElseThrow();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(8);
      int b = f.read();
      f.seek(8);
      f.write(b ^ 0x5A);
    }
    assertThatThrownBy(() -> Database.open(badWal, opts(16))).isInstanceOf(CorruptionException.class)
        .hasMessageContaining(seg.getFileName().toString());
    // The failed opens released the directory: the good copy still opens.
    try (Database db = Database.open(dir, opts(16))) {
      assertThat(contents(db.heapTable("t"))).containsValue("x");
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }

  /**
   * Transaction ids keep growing across clean reopens (each ends with a checkpoint after which the log
   * holds no transaction record) and across crashes: the checkpoint-begin record carries the counter.
   */
  @Test
  void transactionIdsGrowAcrossReopensAndCrashes() {
    Path dir = tmp.resolve("db");
    long highest = 0;
    for (int round = 0; round < 6; round++) {
      boolean crash = round % 2 == 1;
      Path open = dir;
      if (crash) { // reopen a crash image of the last session instead of the cleanly closed directory
        open = tmp.resolve("crash-" + round);
      }
      try (Database db = Database.open(dir, opts(16))) {
        HeapTable t = db.heapTable("t");
        for (int i = 0; i < 3; i++) {
          Transaction tx = db.begin();
          assertThat(tx.id()).as("round %d: a new id above every id used before", round).isGreaterThan(highest);
          highest = tx.id();
          t.insert(tx, ("r" + round + "-" + i).getBytes());
          tx.commit(Durability.SYNC);
        }
        if (round % 3 == 2) db.checkpoint(); // a checkpoint with nothing after it but this round's ids
        if (crash) CrashImages.copy(dir, open);
      }
      if (crash) {
        try (Database db = Database.open(open, opts(16))) {
          Transaction tx = db.begin();
          assertThat(tx.id()).as("after a crash in round %d", round).isGreaterThan(highest);
          tx.abort();
        }
      }
    }
    try (Database db = Database.open(dir, opts(16))) {
      assertThat(contents(db.heapTable("t"))).hasSize(18);
      Transaction tx = db.begin();
      assertThat(tx.id()).isGreaterThan(highest);
      tx.abort();
    }
  }
}
