package org.rustydb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
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
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path rel = from.relativize(p);
        if (rel.toString().equals(DataDirectory.LOCK)) continue;
        Path target = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          try {
            Files.copy(p, target);
          } catch (java.nio.file.NoSuchFileException gone) {
            // a temporary file renamed or removed while copying: a crash can lose it too
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
