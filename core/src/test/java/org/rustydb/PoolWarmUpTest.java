package org.rustydb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.wal.Durability;

/** The pool's page list written at close ({@link PoolPageList}) and loaded back at open. */
class PoolWarmUpTest {

  @TempDir Path tmp;

  private static DatabaseOptions options(boolean warm) {
    return DatabaseOptions.builder().poolFrames(2048).durability(Durability.NO_SYNC).warmPool(warm).build();
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private void load(Path dir, boolean warm) {
    try (Database db = Database.open(dir, options(warm))) {
      Table t = db.createTable("t", TableOptions.defaults());
      for (int i = 0; i < 3000; i++) t.put(key(i), new byte[300]);
    }
  }

  @Test
  void aReopenedDatabaseGetsBackThePagesItHeldAtClose() throws Exception {
    Path dir = tmp.resolve("db");
    load(dir, true);
    assertThat(dir.resolve(PoolPageList.FILE_NAME)).exists();
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve(PoolPageList.FILE_NAME)))).isEqualTo("rw-------");
    }
    try (Database db = Database.open(dir, options(true))) {
      assertThat(dir.resolve(PoolPageList.FILE_NAME)).as("read once, then deleted").doesNotExist();
      assertThat(db.warmer()).isNotNull();
      assertThat(db.warmer().awaitFinished(60_000)).isTrue();
      assertThat(db.warmer().loaded()).isGreaterThan(200); // 3000 values of 300 bytes: ~250 leaves
      assertThat(db.warmer().skipped()).isZero();
      long misses = db.stats().bufferPool().missCount();
      Table t = db.openTable("t");
      for (int i = 0; i < 3000; i++) assertThat(t.get(key(i))).hasSize(300);
      assertThat(db.stats().bufferPool().missCount()).as("every page was warm").isEqualTo(misses);
    }
  }

  @Test
  void aCloseBeforeTheWarmerIsDoneKeepsTheRestOfTheListForNextTime() throws InterruptedException {
    Path dir = tmp.resolve("db");
    load(dir, true);
    long listed;
    try (Database db = Database.open(dir, options(true))) {
      db.warmer().close(); // as a command that opens, reads one key and closes
      listed = db.warmer().loaded() + db.warmer().unvisited().length;
      assertThat(listed).isGreaterThan(200);
    }
    try (Database db = Database.open(dir, options(true))) {
      assertThat(db.warmer().awaitFinished(60_000)).isTrue();
      assertThat(db.warmer().loaded()).isEqualTo(listed);
    }
  }

  @Test
  void directIoOffReadsThroughTheOsCacheAndKeepsEverything() {
    Path dir = tmp.resolve("db");
    DatabaseOptions buffered = DatabaseOptions.builder().poolFrames(64).durability(Durability.NO_SYNC).directIo(false).build();
    try (Database db = Database.open(dir, buffered)) {
      assertThat(db.directIo()).isFalse();
      Table t = db.createTable("t", TableOptions.defaults());
      for (int i = 0; i < 3000; i++) t.put(key(i), new byte[300]); // 64 frames: evictions write through the OS
    }
    try (Database db = Database.open(dir, buffered)) {
      Table t = db.openTable("t");
      for (int i = 0; i < 3000; i++) assertThat(t.get(key(i))).hasSize(300);
    }
  }

  @Test
  void withWarmPoolOffNothingIsWrittenOrLoaded() {
    Path dir = tmp.resolve("db");
    load(dir, false);
    assertThat(dir.resolve(PoolPageList.FILE_NAME)).doesNotExist();
    try (Database db = Database.open(dir, options(false))) {
      assertThat(db.warmer()).isNull();
    }
  }

  @Test
  void aDamagedListMeansAColdPoolNotAnError() throws Exception {
    Path dir = tmp.resolve("db");
    load(dir, true);
    Path list = dir.resolve(PoolPageList.FILE_NAME);
    byte[] b = Files.readAllBytes(list);
    b[b.length / 2] ^= 0x10;
    Files.write(list, b);
    try (Database db = Database.open(dir, options(true))) {
      assertThat(db.warmer()).isNull();
      assertThat(list).doesNotExist();
      assertThat(db.openTable("t").get(key(7))).hasSize(300);
    }
  }

  @Test
  void pagesOfADroppedTableAreNotWarmed() throws InterruptedException {
    Path dir = tmp.resolve("db");
    load(dir, true);
    try (Database db = Database.open(dir, options(true))) {
      db.warmer().close();
      db.dropTable("t");
    }
    try (Database db = Database.open(dir, options(true))) {
      if (db.warmer() != null) {
        assertThat(db.warmer().awaitFinished(60_000)).isTrue();
        assertThat(db.warmer().loaded()).isZero();
      }
      assertThat(db.listTables()).isEmpty();
    }
  }

  @Test
  void theFormatRoundTripsAndEveryDamageIsNamed() {
    Map<String, List<Long>> m = new LinkedHashMap<>();
    m.put("table_1.dat", List.of(1L, 2L, 3L, 1L << 39));
    m.put("table_2.dat", List.of());
    byte[] bytes = PoolPageList.encode(m);
    assertThat(bytes).hasSize(8 + 4 + (2 + 11 + 4 + 32) + (2 + 11 + 4) + 4);
    Map<String, long[]> back = PoolPageList.decode(bytes);
    assertThat(back).containsOnlyKeys("table_1.dat", "table_2.dat");
    assertThat(back.get("table_1.dat")).containsExactly(1L, 2L, 3L, 1L << 39);
    assertThat(back.get("table_2.dat")).isEmpty();

    assertThatThrownBy(() -> PoolPageList.decode(new byte[5])).hasMessageContaining("too short");
    byte[] magic = bytes.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> PoolPageList.decode(magic)).hasMessageContaining("magic");
    for (int i = 8; i < bytes.length; i++) {
      byte[] flipped = bytes.clone();
      flipped[i] ^= 1;
      assertThatThrownBy(() -> PoolPageList.decode(flipped)).as("bit flip at %d", i)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
    }
    for (int n = 12; n < bytes.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> PoolPageList.decode(cut)).as("cut at %d", n).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
