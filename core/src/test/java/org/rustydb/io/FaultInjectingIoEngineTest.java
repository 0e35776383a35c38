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
}
