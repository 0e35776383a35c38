package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rustydb.disk.DiskManagerTest.assertPage;
import static org.rustydb.disk.DiskManagerTest.fill;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM writes pages, syncs, goes on allocating, writing and freeing without a sync, and is killed
 * with SIGKILL. The directory must reopen (the OS drops the dead process's lock) with every file as of its
 * last sync: synced pages intact, the header's page count as synced, a free list whose head was reused
 * since recognised as cut off by the crash (not damage), and allocation never handing out a page in use.
 */
class DiskCrashTest {

  @TempDir Path tmp;

  @Test
  void aKilledProcessLeavesEachFileAsOfItsLastSync() throws Exception {
    Path root = tmp.resolve("db");
    DataDirectory.create(root).close();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        Writer.class.getName(), root.toString()).redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).isEqualTo("ready");
      child.destroyForcibly(); // SIGKILL: no close, no final sync
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    try (DataDirectory dir = DataDirectory.open(root); DiskManager dm = DiskManager.open(dir)) {
      int f = dm.openFile("t.dat");
      assertThat(dm.damagedFiles()).isEmpty();
      assertThat(dm.pageCount(f)).as("as of the last sync").isEqualTo(101);
      // page 10 was freed before the sync and reused after it: the list on disk starts at a page in use
      DiskManager.FreeList free = dm.freeList(f);
      assertThat(free.problem()).as("a crash, not damage").isNull();
      assertThat(free.pages()).isEmpty();
      assertThat(free.lostToCrash()).isEqualTo(1);
      MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
      for (long p = 1; p <= 100; p++) {
        dm.readPage(PageId.of(f, p), page);
        assertPage(page, PageId.of(f, p), 0);
      }
      assertThat(dm.allocatePage(f)).as("never hands out page 10, which is in use").isEqualTo(PageId.of(f, 101));
    }
  }

  /** Run in the child JVM. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      DataDirectory dir = DataDirectory.open(Path.of(args[0]));
      DiskManager dm = DiskManager.open(dir);
      int f = dm.createFile("t.dat");
      MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
      for (int i = 0; i < 100; i++) {
        long p = dm.allocatePage(f);
        fill(page, p, 0);
        dm.writePage(p, page);
      }
      dm.freePage(PageId.of(f, 10));
      dm.sync(f);
      // after the sync: more pages, written but never synced (the header on disk does not know them)
      for (int i = 0; i < 50; i++) {
        long p = dm.allocatePage(f);
        fill(page, p, 0);
        dm.writePage(p, page);
      }
      System.out.println("ready");
      System.out.flush();
      Thread.currentThread().join(); // wait to be killed
    }
  }
}
