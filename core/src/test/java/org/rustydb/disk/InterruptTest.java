package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rustydb.disk.DiskManagerTest.assertPage;
import static org.rustydb.disk.DiskManagerTest.fill;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.DatabaseFailedException;
import org.rustydb.OperationFailedException;

/**
 * An interrupted thread's I/O fails for that thread only: a bare FileChannel would close itself for
 * every thread; PageFileChannel reopens it.
 */
class InterruptTest {

  @TempDir Path tmp;
  DataDirectory dir;
  DiskManager dm;

  @AfterEach
  void close() {
    Thread.interrupted();
    dm.close();
    dir.close();
  }

  @Test
  void anInterruptedReadWriteOrSyncFailsAloneAndTheFileStaysUsable() throws Exception {
    dir = DataDirectory.create(tmp.resolve("db"));
    dm = DiskManager.open(dir);
    int f = dm.createFile("t.dat");
    long p = dm.allocatePage(f);
    MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
    fill(page, p, 1);
    dm.writePage(p, page);

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> dm.readPage(p, page))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("interrupted");
    assertThat(Thread.interrupted()).as("the interrupt flag stays set for the caller").isTrue();
    dm.readPage(p, page);
    assertPage(page, p, 1);

    fill(page, p, 2);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> dm.writePage(p, page)).isInstanceOf(OperationFailedException.class);
    Thread.interrupted();
    dm.writePage(p, page);

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> dm.sync(f))
        .as("an interrupted fsync is not a failed one")
        .isInstanceOf(OperationFailedException.class)
        .isNotInstanceOf(DatabaseFailedException.class);
    Thread.interrupted();
    dm.sync(f);

    // another thread sees none of it
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread other = Thread.ofPlatform().start(() -> {
      try {
        MemorySegment mine = Arena.ofAuto().allocate(4096, 4096);
        dm.readPage(p, mine);
        assertPage(mine, p, 2);
      } catch (Throwable t) {
        failed.set(t);
      }
    });
    other.join();
    assertThat(failed.get()).isNull();
    dm.readPage(p, page);
    assertPage(page, p, 2);
  }
}
