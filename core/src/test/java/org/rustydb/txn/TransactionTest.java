package org.rustydb.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.ClosedException;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.OperationFailedException;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.wal.Durability;

class TransactionTest {

  @TempDir Path dir;

  static DatabaseOptions opts() {
    return DatabaseOptions.builder().poolFrames(64).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO).build();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void committedSurvivesReopenAndAbortedIsUndone() {
    long kept, gone, changed;
    try (Database db = Database.open(dir, opts())) {
      HeapTable t = db.heapTable("t");
      Transaction a = db.begin();
      kept = t.insert(a, b("kept"));
      changed = t.insert(a, b("v1"));
      a.commit();
      Transaction c = db.begin();
      gone = t.insert(c, b("gone"));
      t.update(c, changed, b("v2-longer-than-before"));
      t.delete(c, kept);
      assertThat(t.get(kept)).isNull();
      c.abort();
      assertThat(t.get(gone)).isNull();
      assertThat(t.get(kept)).isEqualTo(b("kept"));
      assertThat(t.get(changed)).isEqualTo(b("v1"));
      Transaction n = db.begin();
      t.update(n, changed, b("v3"));
      n.commit(Durability.NO_SYNC);
    }
    try (Database db = Database.open(dir, opts())) {
      HeapTable t = db.heapTable("t");
      assertThat(t.get(kept)).isEqualTo(b("kept"));
      assertThat(t.get(gone)).isNull();
      assertThat(t.get(changed)).isEqualTo(b("v3"));
    }
  }

  @Test
  void writeConflictFailsTheRequesterAtOnceAndTheHolderGoesOn() {
    try (Database db = Database.open(dir, opts())) {
      HeapTable t = db.heapTable("t");
      Transaction setup = db.begin();
      long rid = t.insert(setup, b("x"));
      setup.commit();
      Transaction t1 = db.begin();
      Transaction t2 = db.begin();
      assertThat(t.update(t1, rid, b("one"))).isTrue();
      assertThatThrownBy(() -> t.update(t2, rid, b("two")))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("write conflict on");
      assertThatThrownBy(() -> t.delete(t2, rid)).hasMessageContaining("write conflict on");
      assertThat(t.get(rid)).isEqualTo(b("one"));
      t1.commit();
      assertThat(t.update(t2, rid, b("two"))).isTrue(); // lock released at commit
      t2.abort();
      assertThat(t.get(rid)).isEqualTo(b("one"));
      assertThat(db.transactions().locks().size()).isZero();
    }
  }

  @Test
  void useAfterEndIsAClearError() {
    try (Database db = Database.open(dir, opts())) {
      HeapTable t = db.heapTable("t");
      Transaction a = db.begin();
      a.commit();
      assertThatThrownBy(a::commit).isInstanceOf(OperationFailedException.class).hasMessageContaining("committed");
      assertThatThrownBy(() -> t.insert(a, b("z"))).hasMessageContaining("cannot be used");
      Transaction c = db.begin();
      c.abort();
      assertThatThrownBy(c::abort).hasMessageContaining("aborted");
    }
  }

  @Test
  void closeTwiceIsHarmlessAndUseAfterCloseThrows() {
    Database db = Database.open(dir, opts());
    db.close();
    db.close();
    assertThatThrownBy(db::begin).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> db.heapTable("t")).isInstanceOf(ClosedException.class);
  }

  @Test
  void backgroundCheckpointerRunsAndStopsOnClose() {
    DatabaseOptions o = DatabaseOptions.builder().poolFrames(64).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ofMillis(5)).build();
    Database db = Database.open(dir, o);
    for (int i = 0; i < 10_000_000 && db.checkpointCount() < 3; i++) Thread.onSpinWait();
    assertThat(db.checkpointCount()).isGreaterThanOrEqualTo(3);
    db.close();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(th -> th.getName().equals("rustydb-checkpointer"));
  }
}
