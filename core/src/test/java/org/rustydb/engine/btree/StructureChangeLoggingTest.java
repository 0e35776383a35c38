package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
import org.rustydb.Table;
import org.rustydb.TableOptions;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.PageId;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.page.PageLayout;
import org.rustydb.txn.Transaction;
import org.rustydb.txn.TransactionManager;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.WalReader;

/**
 * How a structure change is logged: the pages it holds to its commit as redo-only updates (no undo
 * payload), their LSNs raised to the commit record's so that none reaches the disk before the commit is
 * durable; pages it logs early ({@link StructureChange#logNow}) stay undoable. Recovery's side (a change
 * without its commit is skipped) is swept by {@code BTreeCrashSweepTest}.
 */
class StructureChangeLoggingTest {

  @TempDir Path dir;

  private static long lsnOf(BufferPool pool, long pageId) {
    try (ReadGuard g = pool.read(pageId)) {
      return g.getLong(PageLayout.LSN_OFFSET);
    }
  }

  private List<LogRecord> records(TransactionManager tm) {
    tm.wal().flushAll();
    List<LogRecord> out = new ArrayList<>();
    try (WalReader r = WalReader.open(dir.resolve("wal"))) {
      r.seek(r.firstLsn());
      while (r.next()) out.add(r.record());
    }
    return out;
  }

  @Test
  void pagesHeldToTheCommitAreLoggedRedoOnlyAndCarryTheCommitLsn() {
    try (Database db = Database.open(dir, StructureChangeArenaTest.opts())) {
      HeapTable h = StructureChangeArenaTest.heapOf(db, 4);
      TransactionManager tm = db.transactions();
      BufferPool pool = tm.pool();
      long early = PageId.of(h.fileId(), 1);
      long[] held = {PageId.of(h.fileId(), 2), PageId.of(h.fileId(), 3)};
      StructureChange sc = new StructureChange(pool, tm);
      WriteGuard e = sc.write(early);
      e.setLong(PageLayout.HEADER_SIZE + 8, 0x1111);
      sc.logNow(e);
      for (long p : held) sc.write(p).setLong(PageLayout.HEADER_SIZE + 8, 0x2222);
      sc.commit();

      List<LogRecord> log = records(tm);
      LogRecord.Commit commit = null;
      List<LogRecord.Update> updates = new ArrayList<>();
      for (LogRecord r : log) {
        if (r.txnId() < 0 && r instanceof LogRecord.Update u) updates.add(u);
        if (r.txnId() < 0 && r instanceof LogRecord.Commit c) commit = c;
      }
      assertThat(commit).as("the change's commit record").isNotNull();
      assertThat(updates).extracting(LogRecord.Update::pageId).containsExactly(early, held[0], held[1]);
      assertThat(updates.get(0).undo()).as("logged early, released before the commit: undoable").isNotEmpty();
      assertThat(updates.get(1).undo()).as("held to the commit: redo-only").isEmpty();
      assertThat(updates.get(2).undo()).isEmpty();

      long commitLsn = -1;
      try (WalReader r = WalReader.open(dir.resolve("wal"))) {
        r.seek(r.firstLsn());
        while (r.next()) if (r.record() instanceof LogRecord.Commit c && c.txnId() < 0) commitLsn = r.lsn();
      }
      for (long p : held) assertThat(lsnOf(pool, p)).as("page %s", PageId.toString(p)).isEqualTo(commitLsn);
      assertThat(lsnOf(pool, early)).as("the early page keeps its record's LSN").isLessThan(commitLsn);
    }
  }

  /**
   * A split's left leaf and both leaves of a shift are logged as rebuilds that carry only the entries moved
   * in (none for a leaf that keeps some of its own), plus a diff of what else changed (a sibling link: a
   * few bytes), not as diffs of their rewritten cell areas; so is the leaf that takes a merged sibling's
   * entries. 1,100-byte values, three to a leaf, inserted in random order, then most deleted; the data
   * read back from a crash image of the open database, recovered from its log.
   */
  @Test
  void splitsAndShiftsLogTheEntriesTheyMoveNotTheRewrittenPages(@TempDir Path image) {
    long seed = BTreeTesting.seed("btree.rebuildlog.seed");
    List<Integer> keys = new ArrayList<>();
    for (int k = 0; k < 600; k++) keys.add(k);
    java.util.Collections.shuffle(keys, new java.util.Random(seed));
    int rebuildsKeeping = 0;
    int rebuildsTaking = 0;
    int merges = 0;
    try (Database db = Database.open(dir, StructureChangeArenaTest.opts())) {
      Table t = db.createTable("t", TableOptions.defaults());
      for (int k : keys) t.put(BTreeTesting.key(k), value(k));
      int insertPhase = records(db.transactions()).size();
      java.util.Collections.shuffle(keys, new java.util.Random(seed + 1));
      List<Integer> deleted = keys.subList(0, 450);
      for (int k : deleted) t.delete(BTreeTesting.key(k));
      List<LogRecord> log = records(db.transactions());
      org.rustydb.CrashImages.copy(dir, image);
      for (int i = 0; i < log.size(); i++) {
        if (!(log.get(i) instanceof LogRecord.Update u) || u.txnId() >= 0 || u.redo()[0] != BTreeLogLayout.OP_REBUILD) {
          continue;
        }
        int moved = Short.toUnsignedInt(java.nio.ByteBuffer.wrap(u.redo()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .getShort(6));
        if (moved == 0) rebuildsKeeping++; else if (i < insertPhase) rebuildsTaking++; else merges++;
        int cell = 4 + BTreeTesting.key(0).length + 1100;
        assertThat(u.redo().length).as("a rebuild carries the entries moved in").isLessThanOrEqualTo(8 + moved * (2 + cell));
        assertThat(u.undo()).isEmpty();
        for (int j = i + 1; j < log.size() && !(log.get(j) instanceof LogRecord.Commit); j++) {
          if (log.get(j) instanceof LogRecord.Update w && w.pageId() == u.pageId()) {
            assertThat(w.redo().length).as("what else changed on page %s", PageId.toString(u.pageId())).isLessThan(32);
          }
        }
      }
    }
    assertThat(rebuildsKeeping).as("split left leaves and shifts' giving leaves").isGreaterThan(100);
    assertThat(rebuildsTaking).as("shifts' taking leaves").isGreaterThan(20);
    assertThat(merges).as("leaves that took a merged sibling's entries").isGreaterThan(20);
    try (Database db = Database.open(image, StructureChangeArenaTest.opts())) {
      assertThat(db.recoveryReport().recordsRedone()).as("records redone by recovery").isGreaterThan(100);
      Table t = db.openTable("t");
      for (int i = 0; i < keys.size(); i++) {
        int k = keys.get(i);
        assertThat(t.get(BTreeTesting.key(k))).as("key %d", k).isEqualTo(i < 450 ? null : value(k));
      }
    }
  }

  private static byte[] value(int k) {
    byte[] v = new byte[1100];
    java.util.Arrays.fill(v, (byte) k);
    v[0] = (byte) (k >> 8);
    return v;
  }

  @Test
  void onlySystemTransactionsLogRedoOnlyAndTheyCannotAbortAfterwards() {
    try (Database db = Database.open(dir, StructureChangeArenaTest.opts())) {
      HeapTable h = StructureChangeArenaTest.heapOf(db, 2);
      TransactionManager tm = db.transactions();
      long page = PageId.of(h.fileId(), 1);
      byte[] redo = {BTreeLogLayout.OP_DIFF, 0, 0}; // a diff of no ranges
      Transaction user = db.begin();
      try (WriteGuard g = tm.pool().write(page)) {
        assertThatThrownBy(() -> tm.logUpdate(user, g, BTreeNodeLayout.ENGINE_ID, redo, new byte[0]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a system transaction");
      }
      user.abort();
      Transaction system = tm.beginSystem();
      try (WriteGuard g = tm.pool().write(page)) {
        tm.logUpdate(system, g, BTreeNodeLayout.ENGINE_ID, redo, new byte[0]);
      }
      assertThatThrownBy(system::abort).isInstanceOf(IllegalStateException.class).hasMessageContaining("must commit");
      system.commit();
      assertThat(system.commitLsn()).isPositive();
    }
  }
}
