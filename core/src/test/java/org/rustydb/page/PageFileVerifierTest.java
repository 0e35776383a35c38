package org.rustydb.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.FreePageLayout;
import org.rustydb.disk.PageCrc;
import org.rustydb.disk.PageFileHeaderLayout;

class PageFileVerifierTest {

  @TempDir Path tmp;
  Path root;

  /** table_1.dat: 20 slotted pages (1..20), page 21 freed, page 22 allocated and never written. */
  @BeforeEach
  void build() {
    root = tmp.resolve("db");
    try (DataDirectory dir = DataDirectory.create(root); DiskManager dm = DiskManager.open(dir)) {
      int f = dm.createFile("table_1.dat");
      dm.createFile("table_1_idx_btree.dat");
      MemorySegment seg = Arena.ofAuto().allocate(4096, 4096);
      SlottedPage page = new SlottedPage();
      for (int i = 0; i < 20; i++) {
        long id = dm.allocatePage(f);
        page.wrap(seg).format(id, PageType.HEAP);
        for (int t = 0; t < 10; t++) page.insert(("tuple " + i + "." + t).getBytes());
        PageChecksum.stamp(seg);
        dm.writePage(id, seg);
      }
      long freed = dm.allocatePage(f);
      dm.allocatePage(f);
      dm.freePage(freed);
    }
  }

  private static void patch(Path file, long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      raf.write(bytes);
    }
  }

  private static byte[] readAt(Path file, long offset, int len) throws IOException {
    byte[] b = new byte[len];
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      raf.readFully(b);
    }
    return b;
  }

  @Test
  void aSoundDirectoryVerifies() {
    PageFileVerifier.Report r = PageFileVerifier.verify(root);
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.files()).isEqualTo(2);
    assertThat(r.dataPages()).isEqualTo(20);
    assertThat(r.freePages()).isEqualTo(1);
    assertThat(r.emptyPages()).isEqualTo(1);
    assertThat(r.pages()).isEqualTo(23 + 1); // 23 pages in table_1 (header included), the index's header
  }

  @Test
  void aFlippedByteIsReportedWithFileAndPage() throws IOException {
    Path file = root.resolve("base/table_1.dat");
    byte[] b = readAt(file, 7L * 4096 + 4000, 1);
    b[0] ^= 0x01;
    patch(file, 7L * 4096 + 4000, b);
    PageFileVerifier.Report r = PageFileVerifier.verify(root);
    assertThat(r.problems()).hasSize(1);
    assertThat(r.problems().getFirst().toString()).startsWith("base/table_1.dat: page 7: checksum mismatch");
  }

  @Test
  void anInconsistentHeaderWithAGoodChecksumIsReported() throws IOException {
    Path file = root.resolve("base/table_1.dat");
    MemorySegment page = MemorySegment.ofArray(readAt(file, 3L * 4096, 4096));
    page.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, PageLayout.SLOT_COUNT_OFFSET, 5000);
    PageChecksum.stamp(page);
    patch(file, 3L * 4096, page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    PageFileVerifier.Report r = PageFileVerifier.verify(root);
    assertThat(r.problems()).singleElement().hasToString("base/table_1.dat: page 3: slot count 5000 exceeds "
        + PageLayout.MAX_SLOTS);
  }

  @Test
  void aMisdirectedWriteIsReported() throws IOException {
    Path file = root.resolve("base/table_1.dat");
    patch(file, 5L * 4096, readAt(file, 4L * 4096, 4096));
    PageFileVerifier.Report r = PageFileVerifier.verify(root);
    assertThat(r.problems()).singleElement().asString().contains("page 5: page id field says 1:4");
  }

  @Test
  void damagedFilesAndControlFilesAreReported() throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(root.resolve("base/table_1.dat").toFile(), "rw")) {
      raf.setLength(10 * 4096);
    }
    Files.write(root.resolve("control"), new byte[512]);
    PageFileVerifier.Report r = PageFileVerifier.verify(root);
    assertThat(r.problems()).extracting(Object::toString).containsExactlyInAnyOrder(
        "control: no control-file magic at offset 0",
        "base/table_1.dat: truncated: the header says 23 pages (94208 bytes) but the file has 40960 bytes");
  }

  @Test
  void aDamagedFreePageIsReported() throws IOException {
    patch(root.resolve("base/table_1.dat"), 21L * 4096 + 3000, new byte[] {1});
    PageFileVerifier.Report r = PageFileVerifier.verify(root);
    assertThat(r.problems()).extracting(Object::toString).anySatisfy(s ->
        assertThat(s).contains("base/table_1.dat: page 21: free page checksum mismatch"));
  }

  @Test
  void theDiskPackagesPageTypesAndChecksumAgreeWithThisPackages() {
    assertThat(PageFileHeaderLayout.PAGE_TYPE_CODE).isEqualTo(PageType.FILE_HEADER.code());
    assertThat(FreePageLayout.PAGE_TYPE_CODE).isEqualTo(PageType.FREE.code());
    assertThat(PageFileHeaderLayout.CHECKSUM).isEqualTo(PageLayout.CHECKSUM_OFFSET);
    Random r = new Random(42);
    MemorySegment page = MemorySegment.ofArray(new byte[4096]);
    for (int i = 0; i < 20; i++) {
      byte[] b = new byte[4096];
      r.nextBytes(b);
      MemorySegment.copy(MemorySegment.ofArray(b), 0, page, 0, 4096);
      assertThat(PageCrc.compute(page)).isEqualTo(PageChecksum.compute(page));
    }
  }
}
