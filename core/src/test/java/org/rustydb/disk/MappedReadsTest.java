package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.rustydb.disk.DiskManagerTest.assertPage;
import static org.rustydb.disk.DiskManagerTest.fill;
import static org.rustydb.disk.DiskManagerTest.flipByte;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.CorruptionException;
import org.rustydb.io.FaultInjectingIoEngine;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoOptions;
import org.rustydb.io.MappedFile;

/** {@link DiskOptions#mappedReads()}: page reads of buffered files copied from a memory mapping. */
class MappedReadsTest {

  static final int PAGE = 4096;

  @TempDir Path tmp;
  final MemorySegment page = Arena.ofAuto().allocate(PAGE, PAGE);

  /** Buffered, mapped reads on, a file that grows by 4 pages at a time, no read-ahead of its own. */
  static DiskOptions buffered() {
    return DiskOptions.builder().directIo(false).growthChunkPages(4).prefetchPages(0).build();
  }

  /** Whether this machine maps files (Linux with native access): else every read is a pread. */
  private boolean mappable() throws IOException {
    Path probe = java.nio.file.Files.write(tmp.resolve("probe"), new byte[PAGE]);
    MappedFile m = MappedFile.open(probe);
    if (m != null) m.close();
    return m != null;
  }

  /** Allocates and writes {@code n} pages of a new file t.dat (version 1); returns their ids. */
  private long[] writePages(DiskManager dm, int n) {
    int f = dm.createFile("t.dat");
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = dm.allocatePage(f);
      fill(page, ids[i], 1);
      dm.writePage(ids[i], page);
    }
    return ids;
  }

  @Test
  void pagesAreReadThroughTheMappingAsTheFileGrows() throws IOException {
    assumeTrue(mappable(), "memory mappings need Linux native access");
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
         DiskManager dm = DiskManager.open(dir, buffered())) {
      long[] ids = writePages(dm, 30); // the file grew 8 times after its mapping was made
      for (long id : ids) {
        dm.readPage(id, page);
        assertPage(page, id, 1);
      }
      fill(page, ids[3], 2);
      dm.writePage(ids[3], page); // an overwrite shows at once
      dm.readPage(ids[3], page);
      assertPage(page, ids[3], 2);
      DiskStats s = dm.stats();
      assertThat(s.mappedReads()).isEqualTo(31);
      assertThat(s.pagesRead()).isEqualTo(31);
    }
  }

  @Test
  void offDirectOrUnderAnEngineThatMustSeeEveryReadPagesAreReadWithPread() throws IOException {
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("off"));
         DiskManager dm = DiskManager.open(dir, buffered().toBuilder().mappedReads(false).build())) {
      long[] ids = writePages(dm, 5);
      for (long id : ids) dm.readPage(id, page);
      assertThat(dm.stats().mappedReads()).isZero();
      assertThat(dm.stats().pagesRead()).isEqualTo(5);
    }
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("direct"));
         DiskManager dm = DiskManager.open(dir, buffered().toBuilder().directIo(true).build())) {
      long[] ids = writePages(dm, 5);
      for (long id : ids) dm.readPage(id, page);
      assertThat(dm.stats().mappedReads()).as("direct=%s", dm.directIo())
          .isEqualTo(!dm.directIo() && mappable() ? 5 : 0);
    }
    try (IoEngine faults = new FaultInjectingIoEngine(IoEngines.create(IoOptions.builder().build()));
         DataDirectory dir = DataDirectory.create(tmp.resolve("faults"));
         DiskManager dm = DiskManager.open(dir, buffered(), faults)) {
      long[] ids = writePages(dm, 5);
      for (long id : ids) dm.readPage(id, page);
      assertThat(dm.stats().mappedReads()).isZero();
      assertThat(faults.stats().reads()).isEqualTo(5);
    }
  }

  @Test
  void aMappedReadVerifiesTheChecksumAndReportsATruncatedFile() throws IOException {
    assumeTrue(mappable(), "memory mappings need Linux native access");
    Path root = tmp.resolve("db");
    long[] ids;
    try (DataDirectory dir = DataDirectory.create(root); DiskManager dm = DiskManager.open(dir, buffered())) {
      ids = writePages(dm, 12);
    }
    Path file = root.resolve("base/t.dat");
    flipByte(file, PageId.pageNo(ids[2]) * PAGE + 1000);
    try (DataDirectory dir = DataDirectory.open(root); DiskManager dm = DiskManager.open(dir, buffered())) {
      assertThatThrownBy(() -> dm.readPage(ids[2], page)).isInstanceOf(CorruptionException.class)
          .hasMessageContaining("t.dat: page " + PageId.pageNo(ids[2]) + ": checksum mismatch");
      dm.readPage(ids[11], page);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(8L * PAGE); // behind the disk manager's back, under its mapping
      }
      assertThatThrownBy(() -> dm.readPage(ids[11], page)).isInstanceOf(CorruptionException.class)
          .hasMessageContaining("truncated");
      dm.readPage(ids[5], page);
      assertPage(page, ids[5], 1);
      assertThat(dm.stats().mappedReads()).isEqualTo(3); // ids[2] (then refused), ids[11] once, ids[5]
    }
  }

  @Test
  void aDroppedAndRecreatedFileIsReadFromItsNewMapping() {
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
         DiskManager dm = DiskManager.open(dir, buffered())) {
      long[] old = writePages(dm, 3);
      dm.readPage(old[1], page);
      dm.dropFile(PageId.fileId(old[1]));
      int f = dm.createFile("t.dat");
      long id = dm.allocatePage(f);
      fill(page, id, 7);
      dm.writePage(id, page);
      dm.readPage(id, page);
      assertPage(page, id, 7);
    }
  }
}
