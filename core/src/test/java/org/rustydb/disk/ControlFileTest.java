package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.CorruptionException;

class ControlFileTest {

  @TempDir Path dir;
  ControlFile cf;
  ControlFile.Contents written;

  @BeforeEach
  void write() {
    cf = new ControlFile(dir);
    written = ControlFile.initial().withState(DatabaseState.IN_PRODUCTION).withCheckpoint(8192, 4096);
    cf.write(written);
  }

  private void assertSameAsWritten(ControlFile.Contents read) {
    assertThat(read.state()).isEqualTo(DatabaseState.IN_PRODUCTION);
    assertThat(read.systemId()).isEqualTo(written.systemId());
    assertThat(read.checkpointLsn()).isEqualTo(8192);
    assertThat(read.redoStartLsn()).isEqualTo(4096);
    assertThat(read.pageFormatVersion()).isEqualTo(ControlFile.PAGE_FORMAT_VERSION);
    assertThat(read.walFormatVersion()).isEqualTo(ControlFile.WAL_FORMAT_VERSION);
  }

  @Test
  void writesBothCopiesAtomicallyAndReadsThePrimary() throws IOException {
    ControlFile.Loaded loaded = cf.load();
    assertSameAsWritten(loaded.contents());
    assertThat(loaded.source()).isEqualTo(dir.resolve("control"));
    assertThat(loaded.fellBack()).isFalse();
    assertThat(loaded.copyProblem()).isNull();
    assertThat(dir.resolve("control.bak")).hasSameBinaryContentAs(dir.resolve("control"));
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("control", "control.bak");
    }
  }

  @Test
  void laterWritesReplaceEarlierOnes() {
    cf.write(written.withState(DatabaseState.CLEAN_SHUTDOWN).withCheckpoint(1 << 20, 1 << 19));
    ControlFile.Contents c = new ControlFile(dir).read();
    assertThat(c.state()).isEqualTo(DatabaseState.CLEAN_SHUTDOWN);
    assertThat(c.checkpointLsn()).isEqualTo(1 << 20);
    assertThat(c.redoStartLsn()).isEqualTo(1 << 19);
  }

  @Test
  void aGarbagePrimaryFallsBackToTheCopy() throws IOException {
    byte[] garbage = new byte[512];
    new java.util.Random(1).nextBytes(garbage);
    Files.write(dir.resolve("control"), garbage);
    ControlFile.Loaded loaded = cf.load();
    assertSameAsWritten(loaded.contents());
    assertThat(loaded.fellBack()).isTrue();
    assertThat(loaded.source()).isEqualTo(dir.resolve("control.bak"));
    assertThat(loaded.primaryProblem()).contains("magic");
  }

  @Test
  void aTornPrimaryFallsBackToTheCopy() throws IOException {
    byte[] good = Files.readAllBytes(dir.resolve("control"));
    Files.write(dir.resolve("control"), Arrays.copyOf(good, 40));
    assertSameAsWritten(cf.read());
    // a flipped bit in an LSN: the checksum catches it
    byte[] flipped = good.clone();
    flipped[ControlFileLayout.CHECKPOINT_LSN] ^= 1;
    Files.write(dir.resolve("control"), flipped);
    assertThat(cf.load().primaryProblem()).contains("checksum mismatch");
    assertSameAsWritten(cf.read());
    Files.delete(dir.resolve("control"));
    assertThat(cf.load().primaryProblem()).isEqualTo("missing");
    assertSameAsWritten(cf.read());
  }

  @Test
  void aBadCopyIsReportedButThePrimaryIsUsed() throws IOException {
    Files.write(dir.resolve("control.bak"), new byte[512]);
    ControlFile.Loaded loaded = cf.load();
    assertSameAsWritten(loaded.contents());
    assertThat(loaded.fellBack()).isFalse();
    assertThat(loaded.copyProblem()).contains("magic");
  }

  @Test
  void aDatabaseOfAnotherPageFormatIsRefusedWithItsVersion() {
    ControlFile.Contents old = new ControlFile.Contents(DatabaseState.CLEAN_SHUTDOWN, written.systemId(), 0, 0,
        ControlFile.PAGE_FORMAT_VERSION - 1, ControlFile.WAL_FORMAT_VERSION, 0);
    cf.write(old);
    assertThatThrownBy(cf::read)
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("page format version " + (ControlFile.PAGE_FORMAT_VERSION - 1) + " (this build reads version "
            + ControlFile.PAGE_FORMAT_VERSION);
  }

  @Test
  void bothBadIsACorruptionNamingBothFilesAndWhatIsWrong() throws IOException {
    Files.write(dir.resolve("control"), "garbage".getBytes());
    Files.write(dir.resolve("control.bak"), new byte[512]);
    assertThatThrownBy(cf::read)
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining(dir.resolve("control") + ": too short")
        .hasMessageContaining(dir.resolve("control.bak") + ": no control-file magic");
    Files.delete(dir.resolve("control"));
    Files.delete(dir.resolve("control.bak"));
    assertThatThrownBy(cf::read).isInstanceOf(CorruptionException.class).hasMessageContaining("missing");
  }

  @Test
  void writeRepairsABadCopy() throws IOException {
    Files.write(dir.resolve("control"), new byte[3]);
    ControlFile.Contents c = cf.read();
    cf.write(c);
    assertThat(cf.load().fellBack()).isFalse();
    assertThat(cf.load().copyProblem()).isNull();
  }
}
