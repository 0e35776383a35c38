package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

class DataDirectoryTest {

  @TempDir Path tmp;

  @Test
  void createLaysOutTheSpecsFoldersAndAControlFileWithOwnerOnlyPermissions() throws IOException {
    Path root = tmp.resolve("db");
    try (DataDirectory dir = DataDirectory.create(root)) {
      for (String sub : List.of("base", "wal", "archive", "temp")) {
        assertThat(root.resolve(sub)).isDirectory();
      }
      assertThat(root.resolve("control")).isRegularFile().hasSize(512);
      assertThat(root.resolve("control.bak")).isRegularFile().hasSameBinaryContentAs(root.resolve("control"));
      assertThat(dir.controlFile().read().state()).isEqualTo(DatabaseState.CLEAN_SHUTDOWN);
      assertThat(dir.root()).isEqualTo(root.toRealPath());
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        for (String p : List.of("", "base", "wal", "archive", "temp")) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(p))))
              .as(p).isEqualTo("rwx------");
        }
        for (String f : List.of("control", "control.bak", "lock")) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(f))))
              .as(f).isEqualTo("rw-------");
        }
      }
    }
  }

  @Test
  void eachInitGetsItsOwnSystemId() {
    long a;
    long b;
    try (DataDirectory d = DataDirectory.create(tmp.resolve("a"))) {
      a = d.controlFile().read().systemId();
    }
    try (DataDirectory d = DataDirectory.create(tmp.resolve("b"))) {
      b = d.controlFile().read().systemId();
    }
    assertThat(a).isNotEqualTo(b).isNotZero();
  }

  @Test
  void createRefusesANonEmptyFolderOrAFile() throws IOException {
    Files.writeString(tmp.resolve("precious.txt"), "keep me");
    assertThatThrownBy(() -> DataDirectory.create(tmp))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("not empty")
        .hasMessageContaining("precious.txt");
    assertThat(tmp.resolve("base")).doesNotExist();
    assertThatThrownBy(() -> DataDirectory.create(tmp.resolve("precious.txt")))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("it is a file");
    // the failed create released its lock: the folder can be locked again
    Files.delete(tmp.resolve("precious.txt"));
    DataDirectory.create(tmp).close();
  }

  @Test
  void createAcceptsAnEmptyExistingFolder() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("empty"));
    DataDirectory.create(root).close();
    DataDirectory.open(root).close();
  }

  @Test
  void openRefusesMissingAndForeignFolders() throws IOException {
    assertThatThrownBy(() -> DataDirectory.open(tmp.resolve("nope")))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("no data directory at");
    Files.createDirectory(tmp.resolve("base"));
    assertThatThrownBy(() -> DataDirectory.open(tmp))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("not a RustyDB data directory")
        .hasMessageContaining("wal/")
        .hasMessageContaining("control");
  }

  @Test
  void aSecondOpenInTheSameJvmIsRefusedUntilTheFirstCloses() {
    Path root = tmp.resolve("db");
    DataDirectory first = DataDirectory.create(root);
    assertThatThrownBy(() -> DataDirectory.open(root))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("already open in this process")
        .hasMessageContaining(root.getFileName().toString());
    // through another spelling of the same path
    assertThatThrownBy(() -> DataDirectory.open(root.resolve("base").resolve("..")))
        .isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("already open");
    first.close();
    first.close(); // twice is harmless
    DataDirectory.open(root).close();
  }

  @Test
  void aDirectoryLockedByAnotherProcessIsRefusedWithAClearError() throws Exception {
    Path root = tmp.resolve("db");
    DataDirectory.create(root).close();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), root.toString())
        .redirectErrorStream(true)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("locked");
      assertThatThrownBy(() -> DataDirectory.open(root))
          .isInstanceOf(OperationFailedException.class)
          .hasMessageContaining("locked by another process")
          .hasMessageContaining("pid " + child.pid())
          .hasMessageContaining(root.toRealPath().toString());
      child.getOutputStream().close(); // tells the child to close and exit
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
    DataDirectory.open(root).close();
  }

  /** Run in a child JVM: holds a data directory open until its stdin closes. */
  public static final class LockHolder {
    public static void main(String[] args) throws IOException {
      try (DataDirectory d = DataDirectory.open(Path.of(args[0]))) {
        System.out.println("locked");
        System.out.flush();
        while (System.in.read() >= 0) {
          // wait for the parent to close our stdin
        }
      }
    }
  }

  @Test
  void openRemovesLeftoverTempFiles() throws IOException {
    Path root = tmp.resolve("db");
    DataDirectory.create(root).close();
    Files.writeString(root.resolve("temp").resolve("sort_12345.tmp"), "x");
    Files.writeString(root.resolve("control.tmp"), "half-written");
    try (DataDirectory d = DataDirectory.open(root)) {
      assertThat(d.temp()).isEmptyDirectory();
      assertThat(root.resolve("control.tmp")).doesNotExist();
      assertThat(root.resolve("control")).exists();
    }
  }

  @Test
  void fileNamesCannotEscapeTheirFolder() {
    try (DataDirectory d = DataDirectory.create(tmp.resolve("db"))) {
      assertThat(d.baseFile("table_1.dat")).isEqualTo(d.base().resolve("table_1.dat"));
      assertThat(d.tempFile("sort_1.tmp")).isEqualTo(d.temp().resolve("sort_1.tmp"));
      for (String bad : List.of("../x", "/abs", "a/b", "", "..", "a\0b")) {
        assertThatThrownBy(() -> d.baseFile(bad)).as(bad).isInstanceOf(OperationFailedException.class);
        assertThatThrownBy(() -> d.tempFile(bad)).as(bad).isInstanceOf(OperationFailedException.class);
      }
      d.close();
      assertThatThrownBy(() -> d.baseFile("x")).isInstanceOf(ClosedException.class);
    }
  }
}
