package org.rustydb.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * A data directory, laid out as the spec's "File Organization" (DESIGN.md Errata 5):
 *
 * <pre>
 *   DIR/
 *   ├── base/          page files, one per table or index (table_1.dat, table_1_idx_btree.dat, ...)
 *   ├── wal/           write-ahead log segments
 *   ├── archive/       archived log segments
 *   ├── temp/          scratch files; emptied whenever the directory opens
 *   ├── control        the control file ({@link ControlFile})
 *   ├── control.bak    its second copy
 *   └── lock           held (fcntl lock) by the process that has the directory open
 * </pre>
 *
 * Folders are created rwx------ and files rw------- where the file system has POSIX permissions.
 *
 * <p>An open {@code DataDirectory} holds an exclusive lock: a {@link FileChannel#tryLock()} on
 * {@code lock} keeps other processes out, and a registry of open directories (by real path) keeps out a
 * second open in this JVM, where {@code tryLock} would throw {@link OverlappingFileLockException} instead
 * of answering. Either way the second opener gets an {@link OperationFailedException} naming the
 * directory. {@link #close()} releases both.
 *
 * <p>File names given by callers pass {@link FileNames#check} so none can reach outside its folder.
 */
public final class DataDirectory implements AutoCloseable {

  public static final String BASE = "base";
  public static final String WAL = "wal";
  public static final String ARCHIVE = "archive";
  public static final String TEMP = "temp";
  public static final String LOCK = "lock";

  private static final System.Logger LOG = System.getLogger(DataDirectory.class.getName());

  /** Real paths of the data directories open in this JVM. */
  private static final Set<Path> OPEN_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ControlFile controlFile;
  private volatile boolean closed;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.controlFile = new ControlFile(root);
  }

  /**
   * Creates a new data directory at {@code root} (which must not exist or be an empty folder): the
   * folders, and a control file in state clean shutdown with a new random system id. Returns it open.
   */
  public static DataDirectory create(Path root) {
    try {
      if (Files.exists(root) && !Files.isDirectory(root)) {
        throw new OperationFailedException("cannot create a data directory at " + root + ": it is a file");
      }
      Files.createDirectories(root, DurableFiles.ownerOnlyDir());
    } catch (IOException e) {
      throw new OperationFailedException("cannot create data directory " + root + ": " + e, e);
    }
    DataDirectory dir = lock(root);
    try {
      List<String> present = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.root)) {
        for (Path p : s) {
          if (!p.getFileName().toString().equals(LOCK)) present.add(p.getFileName().toString());
        }
      }
      if (!present.isEmpty()) {
        throw new OperationFailedException("cannot create a data directory in " + dir.root
            + ": it is not empty (holds " + String.join(", ", present.stream().sorted().limit(5).toList())
            + (present.size() > 5 ? ", ..." : "") + ")");
      }
      DurableFiles.restrictDir(dir.root);
      for (String sub : List.of(BASE, WAL, ARCHIVE, TEMP)) {
        Files.createDirectory(dir.root.resolve(sub), DurableFiles.ownerOnlyDir());
        DurableFiles.restrictDir(dir.root.resolve(sub));
      }
      DurableFiles.syncDirectory(dir.root);
      dir.controlFile.write(ControlFile.initial());
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      if (e instanceof RuntimeException re) throw re;
      throw new OperationFailedException("cannot create data directory " + root + ": " + e, e);
    }
  }

  /**
   * Opens the existing data directory at {@code root}: checks its layout, takes its lock, and removes
   * what a crash may have left behind (files in {@code temp/}, half-written control-file temp files).
   */
  public static DataDirectory open(Path root) {
    if (!Files.isDirectory(root)) {
      throw new OperationFailedException("no data directory at " + root + " (create one with `rustydb init`)");
    }
    DataDirectory dir = lock(root);
    try {
      List<String> missing = new ArrayList<>();
      for (String sub : List.of(BASE, WAL, ARCHIVE, TEMP)) {
        if (!Files.isDirectory(dir.root.resolve(sub))) missing.add(sub + "/");
      }
      if (!Files.exists(dir.controlFile.primary()) && !Files.exists(dir.controlFile.copy())) {
        missing.add(ControlFile.NAME);
      }
      if (!missing.isEmpty()) {
        throw new OperationFailedException(dir.root + " is not a RustyDB data directory (missing "
            + String.join(", ", missing) + "; create one with `rustydb init`)");
      }
      int removed = 0;
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.temp())) {
        for (Path p : s) {
          if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
            removed++;
          }
        }
      }
      for (String name : List.of(ControlFile.NAME + ".tmp", ControlFile.COPY_NAME + ".tmp")) {
        if (Files.deleteIfExists(dir.root.resolve(name))) removed++;
      }
      if (removed > 0) {
        LOG.log(System.Logger.Level.INFO, "removed {0} temp file(s) left in {1}", removed, dir.root);
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      if (e instanceof RuntimeException re) throw re;
      throw new OperationFailedException("cannot open data directory " + root + ": " + e, e);
    }
  }

  private static DataDirectory lock(Path given) {
    Path real;
    try {
      real = given.toRealPath();
    } catch (IOException e) {
      throw new OperationFailedException("cannot open data directory " + given + ": " + e, e);
    }
    if (!OPEN_IN_THIS_JVM.add(real)) {
      throw new OperationFailedException("data directory " + real + " is already open in this process");
    }
    FileChannel ch = null;
    try {
      Path lockFile = real.resolve(LOCK);
      try {
        DurableFiles.createFile(lockFile);
      } catch (FileAlreadyExistsException ignored) {
        // left by an earlier open: the lock is the fcntl lock on it, not its existence
      }
      ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII).trim();
        throw new OperationFailedException("data directory " + real + " is locked by another process"
            + (holder.isEmpty() ? "" : " (" + holder + ")") + "; lock file " + lockFile);
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      return new DataDirectory(real, ch, lock);
    } catch (IOException | RuntimeException e) {
      OPEN_IN_THIS_JVM.remove(real);
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // already failing; the first error is the one to report
        }
      }
      if (e instanceof RuntimeException re) throw re;
      throw new OperationFailedException("cannot lock data directory " + real + ": " + e, e);
    }
  }

  /** The directory's real (absolute, symlinks resolved) path. */
  public Path root() {
    return root;
  }

  public Path base() {
    return root.resolve(BASE);
  }

  public Path wal() {
    return root.resolve(WAL);
  }

  public Path archive() {
    return root.resolve(ARCHIVE);
  }

  public Path temp() {
    return root.resolve(TEMP);
  }

  public ControlFile controlFile() {
    checkOpen();
    return controlFile;
  }

  /** The path of page file {@code name} under {@code base/}; the name must pass {@link FileNames#check}. */
  public Path baseFile(String name) {
    checkOpen();
    return base().resolve(FileNames.check(name));
  }

  /** The path of temp file {@code name} under {@code temp/}; the name must pass {@link FileNames#check}. */
  public Path tempFile(String name) {
    checkOpen();
    return temp().resolve(FileNames.check(name));
  }

  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("data directory " + root);
  }

  /** Releases the lock. Closing twice is harmless. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "releasing the lock of {0}: {1}", root, e);
    } finally {
      OPEN_IN_THIS_JVM.remove(root);
    }
  }

  @Override
  public String toString() {
    return "DataDirectory[" + root + "]";
  }
}
