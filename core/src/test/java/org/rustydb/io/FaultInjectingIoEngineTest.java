package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.ClosedException;

class FaultInjectingIoEngineTest {

  @TempDir Path dir;
  final FaultInjectingIoEngine engine = new FaultInjectingIoEngine(IoEngines.create(IoOptions.defaults()));
  final Arena arena = Arena.ofShared();

  @AfterEach
  void tearDown() {
    engine.close();
    arena.close();
  }

  MemorySegment page(int value) {
    MemorySegment s = arena.allocate(4096, 4096);
    s.fill((byte) value);
    return s;
  }

  @Test
  void theNthMatchingRequestFailsAndOthersGoOn() throws Exception {
    IoFile f = engine.open(dir.resolve("f"), FileOpenOptions.createReadWrite());
    engine.failNth(2, r -> r instanceof IoRequest.Write);
    List<CompletableFuture<Long>> fs = engine.submit(List.of(
        new IoRequest.Write(f, 0, page(1)),
        new IoRequest.Read(f, 0, page(0), false),
        new IoRequest.Write(f, 4096, page(2)),
        new IoRequest.Write(f, 8192, page(3))));
    assertThat(fs.get(0).get()).isEqualTo(4096);
    assertThat(fs.get(1)).succeedsWithin(java.time.Duration.ofSeconds(30));
    assertThat(fs.get(2)).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat()
        .havingCause().isInstanceOf(IoFailedException.class).withMessageContaining("EIO");
    assertThat(fs.get(3).get()).isEqualTo(4096);
    assertThat(engine.injectedFailures()).isEqualTo(1);
    engine.failNth(1, r -> r instanceof IoRequest.Sync);
    assertThat(engine.fsync(f)).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat()
        .havingCause().isInstanceOf(SyncFailedException.class);
  }

  @Test
  void aCrashLosesExactlyTheUnsyncedWrites() throws Exception {
    Path p = dir.resolve("c");
    IoFile f = engine.open(p, FileOpenOptions.createReadWrite());
    engine.write(f, 0, page(1)).get();
    engine.write(f, 4096, page(2)).get();
    engine.fsync(f).get();
    engine.write(f, 0, page(9)).get();      // overwrites synced data: must come back as 1s
    engine.write(f, 8192, page(3)).get();   // grows the file: must disappear
    engine.crash();
    byte[] after = Files.readAllBytes(p);
    assertThat(after).hasSize(8192);
    for (int i = 0; i < 4096; i++) assertThat(after[i]).isEqualTo((byte) 1);
    for (int i = 4096; i < 8192; i++) assertThat(after[i]).isEqualTo((byte) 2);
    assertThat(engine.read(f, 0, page(0))).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat()
        .havingCause().isInstanceOf(ClosedException.class).withMessageContaining("crashed");
  }

  @Test
  void aTornWriteKeepsWholeSectorsAndThenTheMachineIsDead() throws Exception {
    Path p = dir.resolve("t");
    IoFile f = engine.open(p, FileOpenOptions.createReadWrite());
    engine.write(f, 0, List.of(page(1), page(1))).get();
    engine.fsync(f).get();
    engine.write(f, 8192, page(7)).get(); // unsynced, before the tear: a later crash() drops it
    engine.tearNthWrite(2, r -> r instanceof IoRequest.Write, 4096 + 3 * 512);
    engine.write(f, 12288, page(8)).get(); // the first matching write passes whole
    assertThat(engine.write(f, 0, List.of(page(9), page(9)))).failsWithin(java.time.Duration.ofSeconds(30))
        .withThrowableThat().havingCause().isInstanceOf(ClosedException.class).withMessageContaining("torn write");
    assertThat(engine.tornWrites()).isEqualTo(1);
    assertThat(engine.isCrashed()).isTrue();
    byte[] after = Files.readAllBytes(p);
    for (int i = 0; i < 4096 + 1536; i++) assertThat(after[i]).as("byte %d", i).isEqualTo((byte) 9);
    for (int i = 4096 + 1536; i < 8192; i++) assertThat(after[i]).as("byte %d", i).isEqualTo((byte) 1);
    assertThat(after[8192]).as("unsynced write before the tear stays until crash()").isEqualTo((byte) 7);
    assertThat(engine.read(f, 0, page(0))).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat()
        .havingCause().isInstanceOf(ClosedException.class);
    assertThat(engine.fsync(f)).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat()
        .havingCause().isInstanceOf(ClosedException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.open(dir.resolve("u"), FileOpenOptions.createReadWrite()))
        .isInstanceOf(ClosedException.class);
    engine.crash(); // power gone too: unsynced writes are lost, the torn prefix is what the disk has
    after = Files.readAllBytes(p);
    assertThat(after).hasSize(8192);
    assertThat(after[0]).isEqualTo((byte) 9);
    assertThat(after[4096 + 1536]).isEqualTo((byte) 1);
  }

  @Test
  void tearingKeepsOnlyWholeSectors() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.tearNthWrite(1, r -> true, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
  }

  @Test
  void aFlippedBitChangesExactlyOneBitOfTheChosenRead() throws Exception {
    IoFile f = engine.open(dir.resolve("b"), FileOpenOptions.createReadWrite());
    engine.write(f, 0, List.of(page(0x55), page(0x55))).get();
    engine.flipBitInNthRead(1, r -> r instanceof IoRequest.Read rd && rd.offset() == 4096, 8 * 100 + 3);
    MemorySegment first = page(0);
    MemorySegment second = page(0);
    assertThat(engine.read(f, 0, first).get()).isEqualTo(4096);
    assertThat(engine.read(f, 4096, second).get()).isEqualTo(4096);
    assertThat(first.mismatch(page(0x55))).as("another read is untouched").isEqualTo(-1);
    for (int i = 0; i < 4096; i++) {
      byte expected = i == 100 ? (byte) (0x55 ^ 0x08) : (byte) 0x55;
      assertThat(second.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)).as("byte %d", i).isEqualTo(expected);
    }
    assertThat(engine.flippedBits()).isEqualTo(1);
    MemorySegment again = page(0);
    engine.read(f, 4096, again).get();
    assertThat(again.mismatch(page(0x55))).as("the file itself is intact").isEqualTo(-1);
  }

  @Test
  void aFailedSyncLosesTheUnsyncedWritesAndTheNextSyncSucceeds() throws Exception {
    Path p = dir.resolve("s");
    IoFile f = engine.open(p, FileOpenOptions.createReadWrite());
    IoFile other = engine.open(dir.resolve("o"), FileOpenOptions.createReadWrite());
    engine.write(f, 0, page(1)).get();
    engine.fsync(f).get();
    engine.write(f, 0, page(2)).get();
    engine.write(f, 4096, page(3)).get();
    engine.write(other, 0, page(4)).get();
    engine.failNthSync(1, r -> r.file() == f);
    assertThat(engine.fsync(other).get()).as("another file's sync does not match").isEqualTo(0);
    assertThat(engine.fdatasync(f)).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat()
        .havingCause().isInstanceOf(SyncFailedException.class).withMessageContaining("EIO");
    assertThat(engine.injectedFailures()).isEqualTo(1);
    assertThat(engine.fsync(f).get()).as("the retry 'succeeds', as on Linux").isEqualTo(0);
    byte[] after = Files.readAllBytes(p);
    assertThat(after).as("the writes before the failed sync are gone").hasSize(4096);
    for (int i = 0; i < 4096; i++) assertThat(after[i]).isEqualTo((byte) 1);
    assertThat(Files.readAllBytes(dir.resolve("o"))[0]).isEqualTo((byte) 4);
    assertThat(engine.isCrashed()).isFalse();
  }
}
