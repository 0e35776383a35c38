package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DiskManager#writePages}: a run of pages in one write, the same bytes as page-by-page writes. */
class DiskManagerWritePagesTest {

  @TempDir Path tmp;

  @Test
  void aRunLandsPageByPageAndIsCountedAsItsPages() {
    for (boolean direct : new boolean[] {false, true}) {
      Path root = tmp.resolve("db-" + direct);
      try (DataDirectory dir = DataDirectory.create(root);
           DiskManager dm = DiskManager.open(dir, DiskOptions.builder().directIo(direct).build());
           Arena arena = Arena.ofConfined()) {
        int f = dm.createFile("t.dat");
        long first = dm.allocatePage(f);
        for (int i = 1; i < 5; i++) dm.allocatePage(f);
        MemorySegment run = arena.allocate(3 * 4096L, 4096);
        for (int i = 0; i < 3; i++) {
          MemorySegment p = run.asSlice(i * 4096L, 4096);
          p.fill((byte) (i + 1));
          p.set(Layouts.U64, 0, first + 1 + i);
          PageCrc.stamp(p);
        }
        long before = dm.stats().pagesWritten();
        dm.writePages(first + 1, run);
        assertThat(dm.stats().pagesWritten() - before).isEqualTo(3);
        MemorySegment back = arena.allocate(4096, 4096);
        for (int i = 0; i < 3; i++) {
          dm.readPage(first + 1 + i, back);
          assertThat(back.get(ValueLayout.JAVA_BYTE, 100)).isEqualTo((byte) (i + 1));
          assertThat(back.get(Layouts.U64, 0)).isEqualTo(first + 1 + i);
        }
        // A heap segment (unaligned for O_DIRECT) goes page by page, through the bounce buffer.
        MemorySegment heap = MemorySegment.ofArray(new byte[2 * 4096]);
        MemorySegment.copy(run, 0, heap, 0, 2 * 4096);
        dm.writePages(first + 3, heap);
        dm.readPage(first + 4, back);
        assertThat(back.get(ValueLayout.JAVA_BYTE, 100)).isEqualTo((byte) 2);
        assertThatThrownBy(() -> dm.writePages(first + 3, run)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not all allocated");
        assertThatThrownBy(() -> dm.writePages(first, arena.allocate(100))).isInstanceOf(IllegalArgumentException.class);
      }
    }
  }
}
