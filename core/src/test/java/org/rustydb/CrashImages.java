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

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var entries = Files.newDirectoryStream(from)) {
      for (Path p : entries) {
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
}
