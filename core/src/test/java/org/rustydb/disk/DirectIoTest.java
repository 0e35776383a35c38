package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rustydb.disk.DiskManagerTest.assertPage;
import static org.rustydb.disk.DiskManagerTest.fill;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * O_DIRECT where the file system takes it, buffered I/O (logged once) where it does not. The kernel here
 * accepts O_DIRECT on tmpfs too (Linux 6.6+), so the refusal is simulated with an opener that fails like
 * an older tmpfs does (EINVAL).
 */
class DirectIoTest {

  @TempDir Path tmp;

  private static void roundTrip(DiskManager dm) {
    int f = dm.createFile("t.dat");
    MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      long p = dm.allocatePage(f);
      fill(page, p, 3);
      dm.writePage(p, page);
      ids.add(p);
    }
    dm.sync(f);
    MemorySegment heap = MemorySegment.ofArray(new byte[4096]);
    for (long p : ids) {
      dm.readPage(p, i(p) % 2 == 0 ? page : heap);
      assertPage(i(p) % 2 == 0 ? page : heap, p, 3);
    }
  }

  private static long i(long p) {
    return PageId.pageNo(p);
  }

  @Test
  void directIoIsUsedWhereTheFileSystemTakesIt() throws IOException {
    String why = PageFileChannel.probeDirect(tmp, PageFileChannel.DEFAULT_OPENER);
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
        DiskManager dm = DiskManager.open(dir)) {
      assertThat(dm.directIo()).as("probe said: %s", why).isEqualTo(why == null);
      roundTrip(dm);
      assertThat(dm.stats().directIo()).isEqualTo(dm.directIo());
    }
    assertThat(Files.list(tmp.resolve("db/temp")).count()).as("the probe file is removed").isZero();
  }

  @Test
  void directIoOffIsBuffered() {
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
        DiskManager dm = DiskManager.open(dir, DiskOptions.builder().directIo(false).build())) {
      assertThat(dm.directIo()).isFalse();
      roundTrip(dm);
    }
  }

  @Test
  void aFileSystemThatRefusesODirectFallsBackToBufferedIo() {
    AtomicInteger refused = new AtomicInteger();
    PageFileChannel.Opener noDirect = (path, options) -> {
      if (options.contains(ExtendedOpenOption.DIRECT)) {
        refused.incrementAndGet();
        throw new IOException(path + ": Invalid argument");
      }
      return FileChannel.open(path, options);
    };
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
        DiskManager dm = DiskManager.open(dir, DiskOptions.defaults(), noDirect)) {
      assertThat(dm.directIo()).isFalse();
      assertThat(refused.get()).as("probed once, then not asked again").isEqualTo(1);
      roundTrip(dm);
      assertThat(refused.get()).isEqualTo(1);
    }
  }

  @Test
  void worksOnTmpfsWhicheverWayItGoes() {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm) || !Files.isWritable(shm)) return; // not Linux: nothing to learn here
    Path root = shm.resolve("rustydb-directio-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try (DataDirectory dir = DataDirectory.create(root); DiskManager dm = DiskManager.open(dir)) {
      roundTrip(dm);
    } finally {
      deleteTree(root);
    }
  }

  @Test
  void alignmentCheck() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(8192, 4096);
      assertThat(PageFileChannel.aligned(a.asSlice(0, 4096))).isTrue();
      assertThat(PageFileChannel.aligned(a.asSlice(4096, 4096))).isTrue();
      assertThat(PageFileChannel.aligned(a.asSlice(8, 4096))).isFalse();
      assertThat(PageFileChannel.aligned(a.asSlice(0, 100))).isFalse();
      assertThat(PageFileChannel.aligned(MemorySegment.ofArray(new byte[4096]))).isFalse();
    }
  }

  static void deleteTree(Path root) {
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
