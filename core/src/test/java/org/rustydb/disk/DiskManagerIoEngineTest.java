package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rustydb.disk.DiskManagerTest.assertPage;
import static org.rustydb.disk.DiskManagerTest.fill;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rustydb.DatabaseFailedException;
import org.rustydb.OperationFailedException;
import org.rustydb.io.FaultInjectingIoEngine;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoOptions;
import org.rustydb.io.IoRequest;

/** The disk manager with its page I/O on an {@link IoEngine}: every engine this machine has. */
class DiskManagerIoEngineTest {

  @TempDir Path tmp;

  static List<IoOptions.Kind> engines() {
    List<IoOptions.Kind> kinds = new ArrayList<>(List.of(IoOptions.Kind.FILE_CHANNEL));
    if (IoEngines.uringUnavailableReason() == null) kinds.add(IoOptions.Kind.URING);
    return kinds;
  }

  static IoEngine engine(IoOptions.Kind kind) {
    return IoEngines.create(IoOptions.builder().engine(kind).build());
  }

  @ParameterizedTest
  @MethodSource("engines")
  void pagesRunsSyncAndReopenThroughTheEngine(IoOptions.Kind kind) {
    for (boolean direct : new boolean[] {false, true}) {
      Path root = tmp.resolve(kind + "-" + direct);
      long first;
      try (IoEngine engine = engine(kind); DataDirectory dir = DataDirectory.create(root);
           DiskManager dm = DiskManager.open(dir, DiskOptions.builder().directIo(direct).build(), engine)) {
        int f = dm.createFile("t.dat");
        first = dm.allocatePage(f);
        for (int i = 0; i < 9; i++) dm.allocatePage(f);
        MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
        fill(page, first, 1);
        dm.writePage(first, page);
        MemorySegment run = Arena.ofAuto().allocate(3 * 4096L, 4096);
        for (int i = 0; i < 3; i++) fill(run.asSlice(i * 4096L, 4096), first + 1 + i, 2);
        dm.writePages(first + 1, run);
        dm.sync(f);
        assertThat(engine.stats().writes()).isPositive();
      }
      try (IoEngine engine = engine(kind); DataDirectory dir = DataDirectory.open(root);
           DiskManager dm = DiskManager.open(dir, DiskOptions.builder().directIo(direct).build(), engine)) {
        MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
        dm.readPage(first, page);
        assertPage(page, first, 1);
        for (int i = 0; i < 3; i++) {
          dm.readPage(first + 1 + i, page); // sequential: read-ahead goes through the engine too
          assertPage(page, first + 1 + i, 2);
        }
        assertThat(engine.stats().reads()).isPositive();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void anInterruptedCallFailsAloneAndTheFileStaysUsable(IoOptions.Kind kind) {
    try (IoEngine engine = engine(kind); DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
         DiskManager dm = DiskManager.open(dir, DiskOptions.defaults(), engine)) {
      int f = dm.createFile("t.dat");
      long p = dm.allocatePage(f);
      MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
      fill(page, p, 1);
      dm.writePage(p, page);
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> dm.readPage(p, page)).isInstanceOf(OperationFailedException.class)
            .hasMessageContaining("interrupted");
      } finally {
        assertThat(Thread.interrupted()).isTrue();
      }
      dm.readPage(p, page);
      assertPage(page, p, 1);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void aFailedEngineSyncMakesTheDiskManagerReadOnly(IoOptions.Kind kind) {
    try (FaultInjectingIoEngine engine = new FaultInjectingIoEngine(engine(kind));
         DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
         DiskManager dm = DiskManager.open(dir, DiskOptions.defaults(), engine)) {
      int f = dm.createFile("t.dat");
      int g = dm.createFile("u.dat");
      long p = dm.allocatePage(f);
      long q = dm.allocatePage(g);
      MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
      fill(page, q, 2);
      dm.writePage(q, page);
      dm.sync(g);
      fill(page, p, 1);
      dm.writePage(p, page);
      engine.failNth(1, r -> r instanceof IoRequest.Sync);
      assertThatThrownBy(() -> dm.sync(f)).isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("t.dat").hasMessageContaining("read-only");
      assertThatThrownBy(() -> dm.writePage(p, page)).isInstanceOf(DatabaseFailedException.class);
      // The kernel may have dropped the write the failed fsync covered: reading it back could give the old
      // bytes, so reads of that file are refused; other files read on.
      assertThatThrownBy(() -> dm.readPage(p, page)).isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("t.dat").hasMessageContaining("fsync failed");
      dm.readPage(q, page);
      assertPage(page, q, 2);
      engine.failNth(1, r -> r instanceof IoRequest.Read);
      assertThatThrownBy(() -> dm.readPage(q, page)).isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("u.dat");
    }
  }
}
