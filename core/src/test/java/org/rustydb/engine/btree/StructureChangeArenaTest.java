package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.PageId;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.memory.TransactionArena;
import org.rustydb.memory.TransactionProfile;
import org.rustydb.page.PageLayout;
import org.rustydb.txn.Transaction;
import org.rustydb.txn.TransactionManager;

/** A structure change keeps its page snapshots in a transaction arena from the database's memory manager. */
class StructureChangeArenaTest {

  @TempDir Path dir;

  static DatabaseOptions opts() {
    return DatabaseOptions.builder().poolFrames(128).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO).build();
  }

  /** A heap of at least {@code pages} pages (page numbers 1..), its rows committed. */
  static HeapTable heapOf(Database db, int pages) {
    HeapTable h = db.heapTable("h");
    Transaction t = db.begin();
    while (h.insert(t, new byte[1000]) >>> 12 < pages) {
      // fills page after page (an insert leaves 512 bytes free on a page)
    }
    t.commit();
    return h;
  }

  static byte[] read(BufferPool pool, long pageId) {
    try (ReadGuard g = pool.read(pageId)) {
      return g.segment().toArray(ValueLayout.JAVA_BYTE);
    }
  }

  @Test
  void snapshotsComeFromAnArenaThatGoesBackToThePoolAtCommit() {
    try (Database db = Database.open(dir, opts())) {
      HeapTable h = heapOf(db, 4);
      TransactionManager tm = db.transactions();
      BufferPool pool = tm.pool();
      long held = db.stats().memory().arenaAllocated();
      StructureChange sc = new StructureChange(pool, tm);
      assertThat(sc.arena()).as("no arena before the first snapshot").isNull();
      WriteGuard g = sc.write(PageId.of(h.fileId(), 2));
      TransactionArena arena = sc.arena();
      assertThat(arena).isNotNull();
      assertThat(arena.profile()).isEqualTo(StructureChange.PROFILE);
      assertThat(arena.allocatedBytes()).isEqualTo(PageLayout.PAGE_SIZE);
      assertThat(db.stats().memory().arenaActiveArenas()).isEqualTo(1);
      MemorySegment leaked = arena.allocate(16);
      sc.commit(); // nothing changed: nothing logged
      assertThat(g.isClosed()).isTrue();
      assertThat(db.stats().memory().arenaActiveArenas()).isZero();
      assertThat(db.stats().memory().arenaAllocated()).isGreaterThanOrEqualTo(held);
      assertThatThrownBy(() -> leaked.get(ValueLayout.JAVA_BYTE, 0))
          .as("a segment of the arena after its reset").isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aChangeOverItsArenaLimitFailsAloneAndItsPagesAreRestored() {
    try (Database db = Database.open(dir, opts())) {
      HeapTable h = heapOf(db, 20);
      TransactionManager tm = db.transactions();
      BufferPool pool = tm.pool();
      List<byte[]> before = new ArrayList<>();
      for (int p = 1; p <= 20; p++) before.add(read(pool, PageId.of(h.fileId(), p)));
      // TINY holds at most 64 KiB: 16 page snapshots.
      StructureChange sc = new StructureChange(pool, tm, TransactionProfile.TINY);
      int p = 1;
      try (sc) {
        assertThatThrownBy(() -> {
          for (int q = 1; q <= 20; q++) {
            WriteGuard g = sc.write(PageId.of(h.fileId(), q));
            g.setByte(PageLayout.PAGE_SIZE - 1, (byte) 0x5A); // a change the close must take back
          }
        }).isInstanceOf(OperationFailedException.class)
            .hasMessageContaining("transaction arena limit reached")
            .hasMessageContaining("TINY");
        assertThat(sc.arena().heldBytes()).isLessThanOrEqualTo(TransactionProfile.TINY.limitBytes());
      }
      for (p = 1; p <= 20; p++) {
        assertThat(read(pool, PageId.of(h.fileId(), p))).as("page %d after the failed change", p)
            .isEqualTo(before.get(p - 1));
      }
      assertThat(db.stats().memory().arenaActiveArenas()).isZero();
      // The database goes on: the pages the failed change latched are free, a new transaction commits.
      Transaction t = db.begin();
      long rid = h.insert(t, "after".getBytes());
      t.commit();
      assertThat(h.get(rid)).isEqualTo("after".getBytes());
      try (WriteGuard g = pool.write(PageId.of(h.fileId(), 16))) {
        assertThat(g.pageId()).isEqualTo(PageId.of(h.fileId(), 16));
      }
    }
  }
}
