package org.rustydb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rustydb.TableApiTest.assertScanMatches;
import static org.rustydb.TableApiTest.b;
import static org.rustydb.TableApiTest.drain;
import static org.rustydb.TableApiTest.opts;
import static org.rustydb.TableApiTest.range;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.txn.Transaction;

/**
 * What reads see (the {@link Table} contract, "read committed"): never another transaction's uncommitted
 * insert, update or delete, in gets and in scans both ways, with inline, packed and overflow values; their own
 * transaction's changes; a commit as a whole once it returns; checked against a model with several
 * transactions open at once, and under concurrent writers that abort.
 */
class ReadCommittedTest {

  @TempDir Path dir;

  private static final byte[] ABSENT = new byte[0]; // a transaction's delete, in its overlay

  private static byte[] value(Random r) {
    int len = switch (r.nextInt(6)) {
      case 0 -> 1400 + r.nextInt(600); // packed in a value page
      case 1 -> 3000 + r.nextInt(5000); // an overflow chain
      default -> 1 + r.nextInt(200); // inline
    };
    byte[] v = new byte[len];
    r.nextBytes(v);
    return v;
  }

  private static String s(byte[] k) {
    return new String(k, UTF_8);
  }

  @Test
  void othersSeeTheCommittedValueUntilTheWriterEnds() {
    Random r = new Random(7);
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      for (byte[] old : new byte[][] {b("small"), new byte[1200], new byte[1600], new byte[6000]}) {
        Arrays.fill(old, 0, Math.min(old.length, 3), (byte) 'o');
        t.put(b("upd"), old);
        t.put(b("del"), old);
        t.delete(b("ins"));
        for (boolean commit : new boolean[] {false, true}) {
          byte[] upd = t.get(b("upd"));
          byte[] nu = value(r);
          try (Transaction w = db.begin(); Transaction other = db.begin()) {
            assertThat(t.put(w, b("upd"), nu)).isFalse();
            assertThat(t.delete(w, b("del"))).isTrue();
            assertThat(t.put(w, b("ins"), nu)).isTrue();
            for (Transaction reader : new Transaction[] {null, other}) {
              String who = reader == null ? "auto-commit" : "another transaction";
              assertThat(reader == null ? t.get(b("upd")) : t.get(reader, b("upd"))).as(who).isEqualTo(upd);
              assertThat(reader == null ? t.get(b("del")) : t.get(reader, b("del"))).as(who).isEqualTo(old);
              assertThat(reader == null ? t.get(b("ins")) : t.get(reader, b("ins"))).as(who).isNull();
              for (boolean desc : new boolean[] {false, true}) {
                Cursor c = reader == null ? (desc ? t.scanDescending(null, null) : t.scan(null, null))
                    : (desc ? t.scanDescending(reader, null, null) : t.scan(reader, null, null));
                List<String> keys = drain(c).stream().map(e -> s(e.getKey())).toList();
                assertThat(keys).as(who + (desc ? ", descending" : "")).containsExactlyElementsOf(desc ? List.of("upd", "del") : List.of("del", "upd"));
              }
            }
            assertThat(t.get(w, b("upd"))).as("the writer's own").isEqualTo(nu);
            assertThat(t.get(w, b("del"))).isNull();
            assertThat(drain(t.scan(w, null, null))).extracting(e -> s(e.getKey())).containsExactly("ins", "upd");
            if (commit) w.commit();
            else w.abort();
          }
          assertThat(t.get(b("upd"))).isEqualTo(commit ? nu : upd);
          assertThat(t.get(b("del"))).isEqualTo(commit ? null : old);
          assertThat(t.get(b("ins"))).isEqualTo(commit ? nu : null);
          if (commit) {
            t.put(b("del"), old);
            t.put(b("upd"), old);
          }
        }
      }
    }
  }

  /**
   * Several transactions open at once, interleaved on one thread, each with its own overlay on the committed
   * model; every read (auto-commit or in a transaction, get or scan either way with random bounds) is checked
   * against what that reader may see.
   */
  /**
   * A cursor hands out its values without copying them again, so none may be the committed value the tree
   * remembers for another transaction's change (updated, or deleted and so in no leaf): scribbling on what a
   * scan returned changes nothing another read sees.
   */
  @Test
  void aScansValuesAreTheCallersOwn() {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      t.put(b("del"), b("old-del"));
      t.put(b("upd"), b("old-upd"));
      try (Transaction w = db.begin()) {
        t.delete(w, b("del"));
        t.put(w, b("upd"), b("new-upd"));
        for (int round = 0; round < 2; round++) {
          try (Cursor c = t.scan(null, null)) {
            while (c.next()) {
              byte[] v = c.value();
              assertThat(s(v)).as("round " + round).isEqualTo("old-" + s(c.key()));
              Arrays.fill(v, (byte) 'X');
            }
          }
        }
        assertThat(t.get(b("del"))).isEqualTo(b("old-del"));
        assertThat(t.get(b("upd"))).isEqualTo(b("old-upd"));
        w.abort();
      }
      assertThat(t.get(b("del"))).isEqualTo(b("old-del"));
      assertThat(t.get(b("upd"))).isEqualTo(b("old-upd"));
    }
  }

  @Test
  void interleavedTransactionsMatchAModel() {
    long seed = TableApiTest.seed();
    Random r = new Random(seed);
    TreeMap<byte[], byte[]> committed = new TreeMap<>(Arrays::compareUnsigned);
    Map<Transaction, TreeMap<byte[], byte[]>> overlays = new HashMap<>();
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      for (int i = 0; i < 300; i++) { // enough to span many leaves
        byte[] k = key(r);
        byte[] v = value(r);
        t.put(k, v);
        committed.put(k, v);
      }
      for (int step = 0; step < 4000; step++) {
        List<Transaction> active = new ArrayList<>(overlays.keySet());
        int action = r.nextInt(100);
        if (action < 5 && active.size() < 4) {
          overlays.put(db.begin(), new TreeMap<>(Arrays::compareUnsigned));
        } else if (action < 8 && !active.isEmpty()) {
          Transaction txn = active.get(r.nextInt(active.size()));
          TreeMap<byte[], byte[]> o = overlays.remove(txn);
          if (r.nextBoolean()) {
            txn.commit();
            o.forEach((k, v) -> {
              if (v == ABSENT) committed.remove(k);
              else committed.put(k, v);
            });
          } else {
            txn.abort();
          }
        } else if (action < 45) { // a write, in a transaction or auto-committed
          byte[] k = key(r);
          Transaction txn = active.isEmpty() || r.nextInt(4) == 0 ? null : active.get(r.nextInt(active.size()));
          Transaction holder = holder(overlays, k);
          boolean put = r.nextInt(3) > 0;
          byte[] v = value(r);
          if (holder != null && holder != txn) { // another transaction changed it: a conflict, no waiting
            if (txn != null) {
              assertThatThrownBy(() -> { if (put) t.put(txn, k, v); else t.delete(txn, k); })
                  .as("seed %d step %d", seed, step).isInstanceOf(WriteConflictException.class);
            }
            continue;
          }
          byte[] before = view(committed, txn == null ? null : overlays.get(txn)).get(k);
          boolean result = txn == null ? (put ? t.put(k, v) : t.delete(k)) : (put ? t.put(txn, k, v) : t.delete(txn, k));
          assertThat(result).as("seed %d step %d: %s %s", seed, step, put ? "put" : "delete", s(k)).isEqualTo(put ? before == null : before != null);
          if (txn == null) {
            if (put) committed.put(k, v);
            else committed.remove(k);
          } else {
            overlays.get(txn).put(k, put ? v : ABSENT);
          }
        } else if (action < 75) { // a get
          byte[] k = r.nextInt(4) == 0 ? key(r) : randomExisting(r, committed, overlays);
          Transaction txn = active.isEmpty() || r.nextBoolean() ? null : active.get(r.nextInt(active.size()));
          byte[] expected = view(committed, txn == null ? null : overlays.get(txn)).get(k);
          assertThat(txn == null ? t.get(k) : t.get(txn, k)).as("seed %d step %d: get %s", seed, step, s(k)).isEqualTo(expected);
        } else { // a scan
          Transaction txn = active.isEmpty() || r.nextBoolean() ? null : active.get(r.nextInt(active.size()));
          byte[] from = r.nextInt(3) == 0 ? null : key(r);
          byte[] to = r.nextInt(3) == 0 ? null : key(r);
          boolean desc = r.nextBoolean();
          NavigableMap<byte[], byte[]> expected = range(view(committed, txn == null ? null : overlays.get(txn)), from, to);
          Cursor c = txn == null ? (desc ? t.scanDescending(from, to) : t.scan(from, to))
              : (desc ? t.scanDescending(txn, from, to) : t.scan(txn, from, to));
          assertScanMatches(drain(c), desc ? expected.descendingMap() : expected,
              "seed " + seed + " step " + step + (desc ? " descending" : " ascending"));
        }
      }
      for (Transaction txn : overlays.keySet()) txn.abort();
    }
    try (Database db = Database.open(dir, opts())) {
      assertScanMatches(drain(db.openTable("t").scan(null, null)), committed, "seed " + seed + " after reopening");
    }
  }

  private static byte[] key(Random r) {
    return b("k" + Integer.toString(r.nextInt(600), 7));
  }

  private static byte[] randomExisting(Random r, TreeMap<byte[], byte[]> committed, Map<Transaction, TreeMap<byte[], byte[]>> overlays) {
    List<byte[]> all = new ArrayList<>(committed.keySet());
    for (TreeMap<byte[], byte[]> o : overlays.values()) all.addAll(o.keySet());
    return all.isEmpty() ? b("none") : all.get(r.nextInt(all.size()));
  }

  private static Transaction holder(Map<Transaction, TreeMap<byte[], byte[]>> overlays, byte[] k) {
    for (var e : overlays.entrySet()) if (e.getValue().containsKey(k)) return e.getKey();
    return null;
  }

  /** The committed entries with {@code overlay} (a transaction's own changes; null: none) applied. */
  private static TreeMap<byte[], byte[]> view(TreeMap<byte[], byte[]> committed, TreeMap<byte[], byte[]> overlay) {
    if (overlay == null || overlay.isEmpty()) return committed;
    TreeMap<byte[], byte[]> v = new TreeMap<>(committed);
    overlay.forEach((k, val) -> {
      if (val == ABSENT) v.remove(k);
      else v.put(k, val);
    });
    return v;
  }

  /**
   * Writers that abort change and delete the base keys and insert keys of their own, with packed and inline
   * values; writers that commit only ever write "ok" values. Readers, meanwhile, must see every base key in
   * every scan and get (no key an aborting writer deleted goes missing), never a value an aborting writer
   * wrote, and never a key it inserted.
   */
  @Test
  void concurrentReadersNeverSeeWhatAbortedWritersDid() throws Exception {
    long seed = TableApiTest.seed();
    int baseKeys = 200;
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      for (int i = 0; i < baseKeys; i++) t.put(base(i), ok(new Random(i), i));
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> work = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          Random r = new Random(seed + w);
          boolean aborts = w == 0;
          work.add(pool.submit(() -> {
            int txns = 0;
            while (!stop.get()) {
              try (Transaction txn = db.begin()) {
                for (int j = 0; j < 4; j++) {
                  int i = r.nextInt(baseKeys);
                  if (!aborts) {
                    t.put(txn, base(i), ok(r, i));
                  } else if (r.nextBoolean()) {
                    t.delete(txn, base(i));
                  } else {
                    t.put(txn, base(i), bad(r));
                  }
                  if (aborts) t.put(txn, b("b" + String.format("%04d", r.nextInt(baseKeys)) + "-inserted"), bad(r));
                }
                if (!aborts) txn.commit();
                txns++;
              } catch (WriteConflictException e) {
                // the other writer holds one of the keys: this transaction is aborted by the try; go on
              }
            }
            return txns;
          }));
        }
        for (int rd = 0; rd < 2; rd++) {
          Random r = new Random(seed + 10 + rd);
          work.add(pool.submit(() -> {
            int reads = 0;
            for (int round = 0; round < 150; round++) {
              boolean desc = r.nextBoolean();
              int lo = r.nextInt(baseKeys / 2);
              int hi = lo + 1 + r.nextInt(baseKeys - lo);
              List<Map.Entry<byte[], byte[]>> got = drain(desc ? t.scanDescending(base(lo), base(hi)) : t.scan(base(lo), base(hi)));
              assertThat(got).as("seed %d: scan [%d, %d) %s", seed, lo, hi, desc ? "descending" : "ascending").hasSize(hi - lo);
              for (int j = 0; j < got.size(); j++) {
                int i = desc ? hi - 1 - j : lo + j;
                assertThat(got.get(j).getKey()).isEqualTo(base(i));
                checkOk(got.get(j).getValue(), i, seed);
              }
              for (int g = 0; g < 20; g++) {
                int i = r.nextInt(baseKeys);
                byte[] v = t.get(base(i));
                assertThat(v).as("seed %d: get of base key %d", seed, i).isNotNull();
                checkOk(v, i, seed);
              }
              reads++;
            }
            return reads;
          }));
        }
        for (int rd = 2; rd < 4; rd++) work.get(rd).get();
        stop.set(true);
        assertThat(work.get(0).get()).as("aborted transactions").isPositive();
        assertThat(work.get(1).get()).as("committed transactions").isPositive();
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }
  }

  /**
   * A packed value replaced in place (same length) changes under a shared leaf latch, so a reader must look
   * for the writer's committed value again under the value page's latch: a writer replacing and rolling back
   * one key in a loop, a reader reading it meanwhile, which must never see the replacement.
   */
  @Test
  void aPackedValueReplacedInPlaceIsNotSeenBeforeItCommits() throws Exception {
    try (Database db = Database.open(dir, opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      byte[] committedValue = new byte[1600];
      Arrays.fill(committedValue, (byte) 'c');
      byte[] replacement = new byte[1600];
      Arrays.fill(replacement, (byte) 'X');
      for (int i = 0; i < 10; i++) t.put(b("k" + i), committedValue);
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Integer> writer = pool.submit(() -> {
          int n = 0;
          while (!stop.get()) {
            try (Transaction txn = db.begin()) {
              t.put(txn, b("k5"), replacement);
              n++;
            } // aborted
          }
          return n;
        });
        for (int i = 0; i < 100_000; i++) {
          byte[] v = t.get(b("k5"));
          if (v[0] != 'c') throw new AssertionError("read " + (char) v[0] + " at read " + i + ": a value that was never committed");
        }
        stop.set(true);
        assertThat(writer.get()).isPositive();
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }
  }

  private static byte[] base(int i) {
    return b("b" + String.format("%04d", i));
  }

  /** A committed value of base key {@code i}: its number, then "ok", then filler (inline, or packed: 1,600). */
  private static byte[] ok(Random r, int i) {
    byte[] v = new byte[r.nextBoolean() ? 40 : 1600];
    Arrays.fill(v, (byte) '.');
    byte[] head = b(String.format("%04d", i) + "ok");
    System.arraycopy(head, 0, v, 0, head.length);
    return v;
  }

  private static byte[] bad(Random r) {
    byte[] v = new byte[r.nextBoolean() ? 40 : 1600];
    Arrays.fill(v, (byte) 'X');
    return v;
  }

  private static void checkOk(byte[] v, int i, long seed) {
    assertThat(new String(v, 0, 6, UTF_8)).as("seed %d: value of base key %d", seed, i).isEqualTo(String.format("%04d", i) + "ok");
  }
}
