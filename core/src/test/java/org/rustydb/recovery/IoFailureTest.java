package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.DatabaseFailedException;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.txn.Transaction;
import org.rustydb.wal.NioWalFile;
import org.rustydb.wal.WalFile;

/** I/O errors on the Nth WAL write or fsync: a clear error, no more writes, and reopening recovers. */
class IoFailureTest {

  @TempDir Path tmp;

  /** Fails every write (or fsync) from the armed count on. */
  static final class Faulty implements WalFile.Factory {
    final AtomicInteger writesLeft = new AtomicInteger(Integer.MAX_VALUE);
    final AtomicInteger syncsLeft = new AtomicInteger(Integer.MAX_VALUE);

    @Override
    public WalFile open(Path path, boolean readOnly) throws IOException {
      WalFile f = NioWalFile.open(path, readOnly);
      return new WalFile() {
        public void write(ByteBuffer src, long position) throws IOException {
          if (writesLeft.getAndDecrement() <= 0) throw new IOException("injected write error");
          f.write(src, position);
        }
        public int read(ByteBuffer dst, long position) throws IOException { return f.read(dst, position); }
        public void force() throws IOException {
          if (syncsLeft.getAndDecrement() <= 0) throw new IOException("injected fsync error");
          f.force();
        }
        public long size() throws IOException { return f.size(); }
        public void close() throws IOException { f.close(); }
      };
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"write:0", "write:3", "fsync:0", "fsync:5"})
  void failedIoMakesTheDatabaseUnwritableAndReopenRecovers(String spec) {
    String[] s = spec.split(":");
    int n = Integer.parseInt(s[1]);
    Faulty faulty = new Faulty();
    Path dir = tmp.resolve("db");
    TreeMap<Long, String> committed = new TreeMap<>();
    Database db = Database.open(dir, DatabaseOptions.builder().poolFrames(32).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).walFiles(faulty).build());
    HeapTable t = db.heapTable("t");
    for (int i = 0; i < 20; i++) {
      Transaction tx = db.begin();
      long rid = t.insert(tx, ("before-" + i).getBytes());
      tx.commit();
      committed.put(rid, "before-" + i);
    }
    (s[0].equals("write") ? faulty.writesLeft : faulty.syncsLeft).set(n);
    Throwable failure = null;
    for (int i = 0; i < 50 && failure == null; i++) {
      Transaction tx = db.begin();
      try {
        long rid = t.insert(tx, ("after-" + i).getBytes());
        tx.commit();
        committed.put(rid, "after-" + i);
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    assertThat(failure).isInstanceOf(DatabaseFailedException.class);
    assertThat(failure.toString() + failure.getCause()).contains("injected");
    // Never retried as if it had worked: every later write fails too.
    assertThatThrownBy(() -> {
      Transaction tx = db.begin();
      t.insert(tx, "later".getBytes());
      tx.commit();
    }).isInstanceOf(DatabaseFailedException.class);
    assertThatThrownBy(db::close).isInstanceOf(DatabaseFailedException.class);
    db.close(); // harmless the second time
    try (Database again = Database.open(dir, DatabaseOptions.builder().poolFrames(32).walSegmentSize(1 << 20)
        .checkpointInterval(Duration.ZERO).build())) {
      TreeMap<Long, String> actual = new TreeMap<>();
      again.heapTable("t").scan((rid, v) -> actual.put(rid, new String(v)));
      assertThat(actual).containsAllEntriesOf(committed);
      assertThat(actual.keySet()).allMatch(k -> committed.containsKey(k) || actual.get(k).startsWith("after-"));
    }
  }
}
