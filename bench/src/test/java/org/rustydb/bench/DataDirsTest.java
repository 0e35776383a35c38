package org.rustydb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirsTest {

  @TempDir Path tmp;

  @Test
  void deletesATreeDeepestFirstAndNothingWhenItIsGone() throws Exception {
    Path root = tmp.resolve("data");
    Files.createDirectories(root.resolve("wal/archive"));
    Files.writeString(root.resolve("wal/archive/seg"), "x");
    Files.writeString(root.resolve("control"), "y");
    DataDirs.deleteTree(root);
    assertThat(root).doesNotExist();
    assertThat(tmp).exists();
    DataDirs.deleteTree(root); // already gone: nothing to do
    assertThat(tmp).exists();
  }
}
