package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
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
  void closeStopsTheNamedRingThread() {
    Thread t = ((UringIoEngine) engine).ringThread();
    assertThat(t.getName()).startsWith("rustydb-io-uring-");
    assertThat(t.isAlive()).isTrue();
    engine.close();
    assertThat(t.isAlive()).isFalse();
  }

  /** io_uring reads in the caller's thread (a pread): done when execute returns, never through the ring. */
  @Test
  void executeReadsOnTheCallersThreadAndSkipsTheRing() throws Exception {
    UringIoEngine uring = (UringIoEngine) engine;
    MemorySegment frames = arena.allocate(4L * PAGE, PAGE);
    assertThat(engine.registerBuffers(frames)).isTrue();
    IoFile f = create("c");
    MemorySegment data = page(5);
    get(engine.write(f, 0, data));
    long fixedBefore = uring.fixedBufferTransfers();
    CompletableFuture<Long> r = engine.execute(new IoRequest.Read(f, 0, frames.asSlice(0, PAGE), true));
    assertThat(r).isCompletedWithValue((long) PAGE);
    assertThat(frames.asSlice(0, PAGE).mismatch(data)).isEqualTo(-1);
    assertThat(uring.fixedBufferTransfers()).as("a registered buffer, yet no READ_FIXED on the ring").isEqualTo(fixedBefore);
  }

  /**
   * Syncs and single-buffer writes run on the caller's thread (pwrite, fdatasync): the future is complete
   * when execute returns, with no trip through the ring thread. Reads and vectored writes take the ring.
   */
  @Test
  void executeRunsSyncsAndSingleBufferWritesOnTheCallersThread() throws Exception {
    IoFile f = create("inline");
    long writesBefore = engine.stats().writes();
    for (int i = 0; i < 16; i++) {
      CompletableFuture<Long> w = engine.execute(new IoRequest.Write(f, (long) i * PAGE, page(i)));
      assertThat(w).as("write %d done on return", i).isCompletedWithValue((long) PAGE);
      assertThat(engine.execute(new IoRequest.Sync(f, i % 2 == 0))).isCompletedWithValue(0L);
    }
    assertThat(engine.stats().writes() - writesBefore).as("counted as any write").isEqualTo(16);
    assertThat(get(engine.execute(new IoRequest.Write(f, 16L * PAGE, List.of(page(16), page(17)))))).isEqualTo(2L * PAGE);
    MemorySegment all = buffer(18L * PAGE);
    assertThat(get(engine.execute(new IoRequest.Read(f, 0, all, true)))).isEqualTo(18L * PAGE);
    for (int i = 0; i < 18; i++) assertThat(all.asSlice((long) i * PAGE, PAGE).mismatch(page(i))).isEqualTo(-1);
  }

  @Test
  void heapBuffersAreRefused() throws Exception {
    IoFile f = create("h");
    assertThat(failure(engine.write(f, 0, MemorySegment.ofArray(new byte[10]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
  }

  @Test
  void registeredBuffersCarryReadsAndWrites() throws Exception {
    UringIoEngine uring = (UringIoEngine) engine;
    MemorySegment frames = arena.allocate(16L * PAGE, PAGE);
    assertThat(engine.registerBuffers(frames)).isTrue();
    long fixedBefore = uring.fixedBufferTransfers();
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
    // Every one of the 16 went through a registered buffer (READ_FIXED / WRITE_FIXED).
    assertThat(uring.fixedBufferTransfers() - fixedBefore).isEqualTo(16);
    // A buffer outside the region, and a vectored write, go out unregistered.
    MemorySegment outside = buffer(PAGE);
    assertThat(get(engine.readFully(f, 0, outside))).isEqualTo(PAGE);
    assertThat(get(engine.write(f, 8L * PAGE, List.of(frames.asSlice(0, PAGE), frames.asSlice(PAGE, PAGE)))))
        .isEqualTo(2L * PAGE);
    assertThat(uring.fixedBufferTransfers() - fixedBefore).isEqualTo(16);
    assertThat(outside.mismatch(frames.asSlice(0, PAGE))).isEqualTo(-1);
    engine.unregisterBuffers();
    assertThat(get(engine.readFully(f, 0, frames.asSlice(8L * PAGE, PAGE)))).isEqualTo(PAGE);
    assertThat(uring.fixedBufferTransfers() - fixedBefore).isEqualTo(16);
  }

  @Test
  void aRegionStraddlingPartsAndReRegistrationAreHandled() throws Exception {
    UringIoEngine uring = (UringIoEngine) engine;
    MemorySegment first = arena.allocate(4L * PAGE, PAGE);
    MemorySegment second = arena.allocate(4L * PAGE, PAGE);
    assertThat(engine.registerBuffers(first)).isTrue();
    assertThat(engine.registerBuffers(second)).isTrue(); // replaces the first
    IoFile f = engine.open(dir.resolve("rereg"), FileOpenOptions.createReadWrite().withDirect(true));
    fill(first, 7);
    fill(second, 8);
    long before = uring.fixedBufferTransfers();
    assertThat(get(engine.write(f, 0, first.asSlice(0, PAGE)))).isEqualTo(PAGE); // no longer registered
    assertThat(uring.fixedBufferTransfers()).isEqualTo(before);
    assertThat(get(engine.write(f, PAGE, second))).isEqualTo(4L * PAGE); // the whole region: one fixed write
    assertThat(uring.fixedBufferTransfers()).isEqualTo(before + 1);
    MemorySegment back = buffer(5L * PAGE);
    assertThat(get(engine.readFully(f, 0, back))).isEqualTo(5L * PAGE);
    assertThat(back.asSlice(0, PAGE).mismatch(first.asSlice(0, PAGE))).isEqualTo(-1);
    assertThat(back.asSlice(PAGE, 4L * PAGE).mismatch(second)).isEqualTo(-1);
  }

  @Test
  void aRegionWhoseMemoryWasFreedIsNoLongerUsedForFixedIo() throws Exception {
    UringIoEngine uring = (UringIoEngine) engine;
    IoFile f = create("freed");
    get(engine.write(f, 0, page(3)));
    try (Arena gone = Arena.ofShared()) {
      assertThat(engine.registerBuffers(gone.allocate(4L * PAGE, PAGE))).isTrue();
    }
    long before = uring.fixedBufferTransfers();
    // Same-sized allocations right after the free often get the freed addresses back: the kernel's pinned
    // pages are no longer that memory, so these must not go out as fixed I/O.
    for (int i = 0; i < 8; i++) {
      MemorySegment b = arena.allocate(4L * PAGE, PAGE);
      assertThat(get(engine.readFully(f, 0, b.asSlice(0, PAGE)))).isEqualTo(PAGE);
      assertThat(b.asSlice(0, PAGE).mismatch(page(3))).isEqualTo(-1);
    }
    assertThat(uring.fixedBufferTransfers()).isEqualTo(before);
  }

  @Test
  void registrationFromACompletionCallbackRunsOnTheRingThread() throws Exception {
    IoFile f = create("cb");
    get(engine.write(f, 0, page(1)));
    MemorySegment frames = arena.allocate(2L * PAGE, PAGE);
    CompletableFuture<Boolean> registered = engine.readFully(f, 0, buffer(PAGE))
        .thenApply(v -> engine.registerBuffers(frames));
    assertThat(get(registered)).isTrue();
    long before = ((UringIoEngine) engine).fixedBufferTransfers();
    assertThat(get(engine.readFully(f, 0, frames.asSlice(PAGE, PAGE)))).isEqualTo(PAGE);
    assertThat(((UringIoEngine) engine).fixedBufferTransfers()).isEqualTo(before + 1);
  }

  @Test
  void requestsFromOtherThreadsWakeAnIdleRing() throws Exception {
    IoFile f = create("wake");
    get(engine.write(f, 0, page(5)));
    // Each request is handed over while the ring thread is asleep in the kernel: only the eventfd wakes it.
    for (int i = 0; i < 200; i++) {
      MemorySegment b = buffer(PAGE);
      assertThat(get(engine.readFully(f, 0, b))).isEqualTo(PAGE);
    }
    for (int t = 0; t < 3; t++) {
      CompletableFuture<Long> r = CompletableFuture.supplyAsync(() -> engine.readFully(f, 0, buffer(PAGE)),
          command -> Thread.ofPlatform().start(command)).thenCompose(x -> x);
      assertThat(get(r)).isEqualTo(PAGE);
    }
  }

  @Test
  void setupFallsBackFlagByFlagWhenTheKernelRefuses() throws Exception {
    engine.close();
    // DEFER_TASKRUN without SINGLE_ISSUER is always refused (EINVAL): the engine drops it and goes on.
    UringIoEngine uring = new UringIoEngine(IoOptions.builder().build(), UringLayout.SETUP_DEFER_TASKRUN);
    engine = uring;
    assertThat(uring.setupFlags() & UringLayout.SETUP_DEFER_TASKRUN).isZero();
    assertThat(uring.setupFlags() & UringLayout.SETUP_CQSIZE).isNotZero();
    IoFile f = create("fallback");
    assertThat(get(engine.write(f, 0, page(2)))).isEqualTo(PAGE);
    MemorySegment b = buffer(PAGE);
    assertThat(get(engine.readFully(f, 0, b))).isEqualTo(PAGE);
    assertThat(b.mismatch(page(2))).isEqualTo(-1);
  }

  @Test
  void aSingleIssuerRingStartsDisabledAndIsEnabledByItsRingThread() {
    int flags = ((UringIoEngine) engine).setupFlags();
    // R_DISABLED goes with SINGLE_ISSUER and only with it (the ring thread enables the ring).
    assertThat((flags & UringLayout.SETUP_R_DISABLED) != 0)
        .isEqualTo((flags & UringLayout.SETUP_SINGLE_ISSUER) != 0);
    assertThat(UringIoEngine.describeSetupFlags(UringLayout.SETUP_CQSIZE | UringLayout.SETUP_SINGLE_ISSUER
        | UringLayout.SETUP_DEFER_TASKRUN)).isEqualTo("CQSIZE|SINGLE_ISSUER|DEFER_TASKRUN");
    assertThat(UringIoEngine.describeSetupFlags(0)).isEqualTo("no flags");
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
