package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UringIoEngineTest extends IoEngineContractTest {

  @BeforeAll
  static void needsUring() {
    String why = IoEngines.uringUnavailableReason();
    assumeTrue(why == null, "io_uring unavailable here: " + why);
  }

  @Override
  IoEngine newEngine(IoOptions.Builder options) {
    return new UringIoEngine(options.build());
  }

  @Test
  void closeStopsTheNamedCompletionThread() {
    Thread t = ((UringIoEngine) engine).completionThread();
    assertThat(t.getName()).startsWith("rustydb-io-uring-");
    assertThat(t.isAlive()).isTrue();
    engine.close();
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void heapBuffersAreRefused() throws Exception {
    IoFile f = create("h");
    assertThat(failure(engine.write(f, 0, MemorySegment.ofArray(new byte[10]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
  }

  @Test
  void registeredBuffersCarryReadsAndWrites() throws Exception {
    MemorySegment frames = arena.allocate(16L * PAGE, PAGE);
    assertThat(engine.registerBuffers(frames)).isTrue();
    IoFile f = engine.open(dir.resolve("fixed"), FileOpenOptions.createReadWrite().withDirect(true));
    for (int i = 0; i < 8; i++) fill(frames.asSlice((long) i * PAGE, PAGE), 100 + i);
    List<IoRequest> writes = new ArrayList<>();
    for (int i = 0; i < 8; i++) writes.add(new IoRequest.Write(f, (long) i * PAGE, frames.asSlice((long) i * PAGE, PAGE)));
    for (CompletableFuture<Long> w : engine.submit(writes)) assertThat(get(w)).isEqualTo(PAGE);
    List<IoRequest> reads = new ArrayList<>();
    for (int i = 0; i < 8; i++) reads.add(new IoRequest.Read(f, (long) i * PAGE, frames.asSlice((long) (8 + i) * PAGE, PAGE), true));
    for (CompletableFuture<Long> r : engine.submit(reads)) assertThat(get(r)).isEqualTo(PAGE);
    for (int i = 0; i < 8; i++) {
      assertThat(frames.asSlice((long) (8 + i) * PAGE, PAGE).mismatch(frames.asSlice((long) i * PAGE, PAGE)))
          .isEqualTo(-1);
    }
    engine.unregisterBuffers();
    assertThat(get(engine.readFully(f, 0, frames.asSlice(8L * PAGE, PAGE)))).isEqualTo(PAGE);
  }

  @Test
  void moreRequestsThanTheRingHoldsAllComplete() throws Exception {
    engine.close();
    engine = newEngine(IoOptions.builder().queueDepth(4)); // SQ 4, CQ 8: back-pressure on both
    IoFile f = create("many");
    assertThat(get(engine.write(f, 0, buffer(16L * PAGE)))).isEqualTo(16L * PAGE);
    List<IoRequest> reads = new ArrayList<>();
    for (int i = 0; i < 300; i++) reads.add(new IoRequest.Read(f, (long) (i % 16) * PAGE, buffer(PAGE), true));
    for (CompletableFuture<Long> r : engine.submit(reads)) assertThat(get(r)).isEqualTo(PAGE);
  }

  @Test
  void callbacksMaySubmitMoreThanTheRingHolds() throws Exception {
    engine.close();
    engine = newEngine(IoOptions.builder().queueDepth(2));
    IoFile f = create("chain");
    get(engine.write(f, 0, buffer(PAGE)));
    // Each completion (on the completion thread) submits 20 more reads: more than the 4 permits, so the
    // completion thread must park them rather than wait for itself.
    CompletableFuture<List<CompletableFuture<Long>>> next = engine.readFully(f, 0, buffer(PAGE))
        .thenApply(v -> {
          List<IoRequest> more = new ArrayList<>();
          for (int i = 0; i < 20; i++) more.add(new IoRequest.Read(f, 0, buffer(PAGE), true));
          return engine.submit(more);
        });
    for (CompletableFuture<Long> r : get(next)) assertThat(get(r)).isEqualTo(PAGE);
  }

  @Test
  void manySubmittersAndCallbackSubmissionsAllComplete() throws Exception {
    engine.close();
    engine = newEngine(IoOptions.builder().queueDepth(8));
    IoFile f = create("stress");
    get(engine.write(f, 0, buffer(16L * PAGE)));
    List<CompletableFuture<Long>> all = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 300; i++) {
          CompletableFuture<Long> r = engine.readFully(f, (long) (i % 16) * PAGE, buffer(PAGE));
          all.add(r);
          // A callback on the completion thread submits one more: ring-thread and caller submissions mix.
          all.add(r.thenCompose(v -> engine.readFully(f, 0, buffer(PAGE))));
        }
      }));
    }
    for (Thread t : threads) t.join();
    for (CompletableFuture<Long> r : all) assertThat(get(r)).isEqualTo(PAGE);
  }

  @Test
  void filesUseTheRegisteredFileTable() throws Exception {
    assertThat(((UringIoEngine) engine).usesRegisteredFiles()).isTrue();
    engine.close();
    engine = newEngine(IoOptions.builder().registeredFiles(0));
    assertThat(((UringIoEngine) engine).usesRegisteredFiles()).isFalse();
    IoFile f = create("plain");
    assertThat(get(engine.write(f, 0, page(1)))).isEqualTo(PAGE);
  }
}
