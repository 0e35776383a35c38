package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
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
