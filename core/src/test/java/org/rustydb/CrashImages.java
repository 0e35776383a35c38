package org.rustydb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rustydb.disk.DataDirectory;

/**
 * Crash images for tests: a copy of a data directory taken while the database is open and idle is
 * exactly what a crash (kill -9, power loss with a well-behaved disk) at that moment leaves, since it holds
 * every byte the process had handed to the OS and nothing the process still buffered (the WAL's unflushed
 * tail, dirty pool frames, unsynced file headers). The lock file is left out.
 *
 * <p>"Idle" still has the background dirty page flusher running, and a copy is not one instant: a page the
 * flusher writes while the copy runs, after a WAL flush the copy of {@code wal/} missed, would come back
 * with an LSN past the end of the copied log (recovery then fails on it; seen in HeapTableModelTest).
 * So the top level is copied in write-ahead order: plain files (the control file) first, then
 * {@code base/}, then other folders, {@code wal/} last. A page in the copy was written after the log was
 * flushed up to its LSN, so a later copy of the log holds those records; an earlier control file only
 * makes recovery start further back.
 */
public final class CrashImages {

  private CrashImages() {}

  public static void copy(Path from, Path to) {
    try {
      copyTree(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Plain files, then the page files, then other folders, the log last (see the class comment). */
  private static int copyRank(Path p) {
    if (!Files.isDirectory(p)) return 0;
    String name = p.getFileName().toString();
    return name.equals(DataDirectory.BASE) ? 1 : name.equals(DataDirectory.WAL) ? 3 : 2;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    java.util.List<Path> sorted = new java.util.ArrayList<>();
    try (var entries = Files.newDirectoryStream(from)) {
      entries.forEach(sorted::add);
    }
    sorted.sort(java.util.Comparator.comparingInt(CrashImages::copyRank));
    for (Path p : sorted) {
      String name = p.getFileName().toString();
      if (name.equals(DataDirectory.LOCK)) continue;
      if (Files.isDirectory(p)) {
        copyTree(p, to.resolve(name));
      } else {
        try {
          Files.copy(p, to.resolve(name));
        } catch (java.nio.file.NoSuchFileException gone) {
          // a WAL segment being prepared, renamed meanwhile: a crash can lose it too
        }
      }
    }
  }
}
