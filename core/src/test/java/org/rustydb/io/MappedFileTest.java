package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.ClosedException;

class MappedFileTest {

  static final int PAGE = 4096;

  @TempDir Path tmp;
  Path file;
  MemorySegment dst;

  @BeforeEach
  void setUp() {
    assumeTrue(LinuxNative.get().isPresent(), "memory mappings need Linux native access");
    file = tmp.resolve("f.dat");
    dst = Arena.ofAuto().allocate(PAGE, PAGE);
  }

  /** Writes page {@code pageNo} filled with {@code value} through a channel, as the disk manager's writes. */
  private void writePage(long pageNo, int value) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(PAGE).order(java.nio.ByteOrder.nativeOrder());
    while (b.hasRemaining()) b.putInt(value);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(b.flip(), pageNo * PAGE);
    }
  }

  private int[] firstAndLastInt() {
    return new int[] {dst.get(ValueLayout.JAVA_INT_UNALIGNED, 0), dst.get(ValueLayout.JAVA_INT_UNALIGNED, PAGE - 4)};
  }

  @Test
  void copiesPagesAndSeesWritesAndGrowthMadeAfterTheMapping() throws IOException {
    for (int p = 0; p < 3; p++) writePage(p, 100 + p);
    try (MappedFile m = MappedFile.open(file, 2L * PAGE)) { // windows of two pages: 0-1, 2-3, 4-5
      for (int p = 0; p < 3; p++) {
        assertThat(m.copy((long) p * PAGE, dst)).isTrue();
        assertThat(firstAndLastInt()).containsExactly(100 + p, 100 + p);
      }
      writePage(1, 7); // overwrites a page the mapping has shown
      writePage(3, 8); // grows the file inside a window mapped while it was past the end
      writePage(5, 9); // and into a window not mapped yet
      assertThat(m.copy(PAGE, dst)).isTrue();
      assertThat(firstAndLastInt()).containsExactly(7, 7);
      assertThat(m.copy(3L * PAGE, dst)).isTrue();
      assertThat(firstAndLastInt()).containsExactly(8, 8);
      assertThat(m.copy(5L * PAGE, dst)).isTrue();
      assertThat(firstAndLastInt()).containsExactly(9, 9);
      assertThat(m.copy(4L * PAGE, dst)).isTrue(); // a hole reads as zeros
      assertThat(firstAndLastInt()).containsExactly(0, 0);
    }
  }

  @Test
  void aCopyPastTheEndOfTheFileReturnsFalseInsteadOfCrashing() throws IOException {
    for (int p = 0; p < 4; p++) writePage(p, p + 1);
    try (MappedFile m = MappedFile.open(file, 8L * PAGE)) {
      assertThat(m.copy(3L * PAGE, dst)).isTrue();
      assertThat(m.copy(4L * PAGE, dst)).isFalse(); // in the window, past the end: SIGBUS, caught
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(2L * PAGE); // behind the mapping's back
      }
      for (int i = 0; i < 3; i++) assertThat(m.copy(3L * PAGE, dst)).isFalse();
      assertThat(m.copy(PAGE, dst)).isTrue();
      assertThat(firstAndLastInt()).containsExactly(2, 2);
    }
  }

  @Test
  void aRangeAcrossWindowsIsRefused() throws IOException {
    writePage(0, 1);
    try (MappedFile m = MappedFile.open(file, 2L * PAGE)) {
      assertThatThrownBy(() -> m.copy(PAGE + 8, dst)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("crosses a mapping window");
      assertThatThrownBy(() -> m.copy(-PAGE, dst)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> MappedFile.open(file, 1000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClosedMappingRefusesCopiesAndClosingTwiceIsHarmless() throws IOException {
    writePage(0, 1);
    MappedFile m = MappedFile.open(file, 2L * PAGE);
    assertThat(m.copy(0, dst)).isTrue(); // window 0 mapped
    m.close();
    m.close();
    assertThatThrownBy(() -> m.copy(0, dst)).isInstanceOf(ClosedException.class).hasMessageContaining("f.dat");
    assertThatThrownBy(() -> m.copy(2L * PAGE, dst)).isInstanceOf(ClosedException.class); // never mapped
  }

  @Test
  void copiesRacingWithTheCloseFailCleanly() throws Exception {
    for (int p = 0; p < 8; p++) writePage(p, p + 1);
    for (int round = 0; round < 20; round++) {
      MappedFile m = MappedFile.open(file, 4L * PAGE);
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
      java.util.List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      java.util.concurrent.atomic.AtomicLong copies = new java.util.concurrent.atomic.AtomicLong();
      Thread[] readers = new Thread[2];
      for (int t = 0; t < readers.length; t++) {
        readers[t] = new Thread(() -> {
          MemorySegment mine = Arena.ofAuto().allocate(PAGE, PAGE);
          started.countDown();
          try {
            for (long i = 0; ; i++) {
              if (!m.copy((i % 8) * PAGE, mine)) throw new AssertionError("page " + i % 8 + " is in the file");
              copies.incrementAndGet();
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        readers[t].start();
      }
      started.await();
      while (copies.get() < 1000 && failures.isEmpty()) Thread.onSpinWait(); // copying, windows mapped
      m.close();
      for (Thread t : readers) t.join(10_000);
      assertThat(failures).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(ClosedException.class));
    }
  }

  /** procfs files cannot be mapped: the failure comes from open, so the caller reads such a file with pread. */
  @Test
  void aFileThatCannotBeMappedFailsAtOpen() {
    Path proc = Path.of("/proc/self/status");
    assumeTrue(java.nio.file.Files.isReadable(proc), "needs procfs");
    assertThatThrownBy(() -> MappedFile.open(proc)).isInstanceOf(IoFailedException.class)
        .hasMessageContaining("mmap").hasMessageContaining("/proc/self/status");
  }

  @Test
  void aFileThatCannotBeOpenedFailsWithItsName() {
    assertThatThrownBy(() -> MappedFile.open(tmp.resolve("missing.dat")))
        .isInstanceOf(IoFailedException.class).hasMessageContaining("missing.dat").hasMessageContaining("ENOENT");
  }
}
