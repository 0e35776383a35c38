package org.rustydb.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/** File-system helpers the data directory and control file share: owner-only creation, atomic replace. */
final class DurableFiles {

  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private DurableFiles() {}

  /** rwx------ where the file system has POSIX permissions, else nothing. */
  static FileAttribute<?>[] ownerOnlyDir() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
        : new FileAttribute<?>[0];
  }

  /** rw------- where the file system has POSIX permissions, else nothing. */
  static FileAttribute<?>[] ownerOnlyFile() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  /** Sets rwx------ on an existing directory (the umask may have widened or narrowed it). */
  static void restrictDir(Path dir) throws IOException {
    if (POSIX) Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  /** Creates a new, empty file with owner-only permissions; fails if it exists. */
  static void createFile(Path file) throws IOException {
    Files.createFile(file, ownerOnlyFile());
  }

  /**
   * Replaces {@code target} with {@code bytes} so that a crash leaves either the old or the new contents:
   * writes {@code target.tmp}, fsyncs it, renames it over {@code target} and fsyncs the directory.
   */
  static void replaceAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    createFile(tmp);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer bb = ByteBuffer.wrap(bytes);
      while (bb.hasRemaining()) ch.write(bb);
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(target.getParent());
  }

  /** fsyncs a directory so that a create, rename or delete in it is durable (a no-op where unsupported). */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory as a channel; Linux and macOS can.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;
    }
  }
}
