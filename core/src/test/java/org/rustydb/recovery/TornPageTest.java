package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.CorruptionException;
import org.rustydb.CrashImages;
import org.rustydb.Database;
import org.rustydb.DatabaseOptions;
import org.rustydb.engine.heap.HeapTable;
import org.rustydb.txn.Transaction;

/** Torn-page protection: a page torn on disk after a checkpoint is rebuilt from its full-page image. */
class TornPageTest {

  @TempDir Path tmp;

  static DatabaseOptions opts() {
    return DatabaseOptions.builder().poolFrames(64).walSegmentSize(1 << 20).checkpointInterval(Duration.ZERO).build();
  }

  private static void tear(Path image, long pageNo) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(image.resolve("base/table_1.dat").toFile(), "rw")) {
      f.seek(pageNo * 4096 + 2048);
      byte[] junk = new byte[2048];
      new java.util.Random(1).nextBytes(junk);
      f.write(junk);
    }
  }

  @Test
  void tornPageIsRestoredFromItsFullPageImage() throws Exception {
    Path dir = tmp.resolve("db");
    Path image = tmp.resolve("image");
    TreeMap<Long, String> committed = new TreeMap<>();
    try (Database db = Database.open(dir, opts())) {
      HeapTable t = db.heapTable("t");
      Transaction a = db.begin();
      for (int i = 0; i < 50; i++) {
        long rid = t.insert(a, ("first-" + i).getBytes());
        committed.put(rid, "first-" + i);
      }
      a.commit();
      db.checkpoint(); // page 1 on disk, intact
      Transaction b = db.begin();
      long rid = committed.firstKey();
      t.update(b, rid, "second".getBytes()); // first change since the checkpoint: a full-page image first
      b.commit();
      committed.put(rid, "second");
      CrashImages.copy(dir, image);
    }
    tear(image, 1); // as if the crash hit while page 1 was being written
    try (Database db = Database.open(image, opts())) {
      assertThat(db.recoveryReport().fullPageImages()).isEqualTo(1);
      TreeMap<Long, String> actual = new TreeMap<>();
      db.heapTable("t").scan((r, v) -> actual.put(r, new String(v)));
      assertThat(actual).isEqualTo(committed);
    }
  }

  @Test
  void tornPageWithoutAnImageInTheLogIsReportedAsCorruption() throws Exception {
    Path dir = tmp.resolve("db");
    Path image = tmp.resolve("image");
    try (Database db = Database.open(dir, opts())) {
      HeapTable t = db.heapTable("t");
      Transaction a = db.begin();
      t.insert(a, "x".getBytes());
      a.commit();
      db.checkpoint();
      CrashImages.copy(dir, image);
    }
    tear(image, 1); // no change since the checkpoint: a torn page here is damage, not a crash
    assertThatThrownBy(() -> {
      try (Database db = Database.open(image, opts())) {
        db.heapTable("t");
      }
    }).isInstanceOf(CorruptionException.class).hasMessageContaining("table_1.dat");
  }
}
