package org.rustydb.recovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.rustydb.Database;
import org.rustydb.OperationFailedException;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.txn.Transaction;

/**
 * A seeded single-threaded workload of SYNC transactions on two heap tables (inserts, updates, deletes,
 * some aborts, a checkpoint every few commits), checked against a model: {@link #states()} holds the
 * committed contents after 0, 1, 2... acknowledged commits, and {@link #inDoubt()} the contents a commit
 * whose {@code commit()} failed would have made (it may or may not have reached the log).
 *
 * <p>{@link #run} stops at the first exception once {@code crashed} says the I/O underneath died; an
 * exception without a crash is a real failure and propagates. The choices depend only on the seed and the
 * model, so every run with the same seed does the same transactions (page writes may still differ in
 * order when background threads write pages).
 */
final class PageCrashWorkload {

  static final String[] TABLES = {"a", "b"};

  private final long seed;
  private final int transactions;
  private final int checkpointEvery;
  private final int maxOps;
  private final List<TreeMap<String, String>> states = new ArrayList<>();
  private TreeMap<String, String> inDoubt;

  /** {@code transactions} of 1..{@code maxOps} operations each; a checkpoint after every {@code checkpointEvery} commits. */
  PageCrashWorkload(long seed, int transactions, int maxOps, int checkpointEvery) {
    this.seed = seed;
    this.transactions = transactions;
    this.maxOps = maxOps;
    this.checkpointEvery = checkpointEvery;
    states.add(new TreeMap<>());
  }

  /** Creates (or opens) the tables: do it before arming a fault, so every crash point is in the workload. */
  static HeapTable[] tables(Database db) {
    HeapTable[] t = new HeapTable[TABLES.length];
    for (int i = 0; i < t.length; i++) t[i] = db.heapTable(TABLES[i]);
    return t;
  }

  /** Everything committed in {@code db}, keyed as the model keys it. */
  static TreeMap<String, String> contents(Database db) {
    TreeMap<String, String> out = new TreeMap<>();
    for (HeapTable t : tables(db)) t.scan((rid, v) -> out.put(key(t, rid), new String(v)));
    return out;
  }

  private static String key(HeapTable t, long rid) {
    return t.name() + ":" + String.format("%016x", rid);
  }

  /** Runs the workload until its end, or until the first failure after {@code crashed} turned true. */
  void run(Database db, BooleanSupplier crashed) {
    Random rnd = new Random(seed);
    HeapTable[] tables = tables(db);
    try {
      for (int i = 0; i < transactions; i++) {
        TreeMap<String, String> next = new TreeMap<>(states.getLast());
        Transaction tx = db.begin();
        int ops = 1 + rnd.nextInt(maxOps);
        for (int op = 0; op < ops; op++) {
          HeapTable t = tables[rnd.nextInt(tables.length)];
          List<String> mine = new ArrayList<>(next.subMap(t.name() + ":", t.name() + ";").keySet());
          int kind = mine.isEmpty() ? 0 : rnd.nextInt(10);
          String v = "t" + i + "o" + op + "-" + "x".repeat(rnd.nextInt(kind < 5 ? 1200 : 400));
          if (kind < 5) {
            next.put(key(t, t.insert(tx, v.getBytes())), v);
          } else {
            String k = mine.get(rnd.nextInt(mine.size()));
            long rid = Long.parseUnsignedLong(k.substring(k.indexOf(':') + 1), 16);
            if (kind < 8) {
              if (update(t, tx, rid, v, crashed)) next.put(k, v);
            } else {
              if (!t.delete(tx, rid)) throw new AssertionError("delete of live row " + k + " found nothing");
              next.remove(k);
            }
          }
        }
        if (rnd.nextInt(7) == 0) {
          tx.abort();
          continue;
        }
        inDoubt = next;
        tx.commit();
        inDoubt = null;
        states.add(next);
        if (states.size() % checkpointEvery == 0) db.checkpoint();
      }
    } catch (RuntimeException e) {
      if (!crashed.getAsBoolean()) throw e;
    }
  }

  private static boolean update(HeapTable t, Transaction tx, long rid, String v, BooleanSupplier crashed) {
    try {
      if (!t.update(tx, rid, v.getBytes())) throw new AssertionError("update of live row " + rid + " found nothing");
      return true;
    } catch (OperationFailedException e) {
      // a row may not grow beyond its page's room: the call fails, the transaction goes on
      if (crashed.getAsBoolean() || !e.getMessage().contains("cannot grow")) throw e;
      return false;
    }
  }

  List<TreeMap<String, String>> states() {
    return states;
  }

  /** Commits acknowledged (commit() returned). */
  int acknowledged() {
    return states.size() - 1;
  }

  /** The contents the commit that failed would have made, or null when no commit failed. */
  TreeMap<String, String> inDoubt() {
    return inDoubt;
  }
}
