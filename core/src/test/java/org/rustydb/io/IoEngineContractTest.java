package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.ClosedException;
import org.rustydb.testing.Seeds;

/** The contract of {@link IoEngine}; every engine runs it through a subclass. */
abstract class IoEngineContractTest {

  static final int PAGE = 4096;

  @TempDir Path dir;
  IoEngine engine;
  Arena arena;

  abstract IoEngine newEngine(IoOptions.Builder options);

  @BeforeEach
  void setUp() {
    engine = newEngine(IoOptions.builder().closeTimeout(java.time.Duration.ofSeconds(20)));
    arena = Arena.ofShared();
  }

  @AfterEach
  void tearDown() {
    engine.close();
    arena.close();
  }

  MemorySegment page(long seed) {
    MemorySegment s = arena.allocate(PAGE, PAGE);
    fill(s, seed);
    return s;
  }

  static void fill(MemorySegment s, long seed) {
    Random r = new Random(seed);
    for (long i = 0; i < s.byteSize(); i += 8) s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
  }

  MemorySegment buffer(long size) {
    return arena.allocate(size, PAGE);
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the request to fail, it completed");
  }

  /** A read through {@link IoEngine#execute} (in the caller's thread where the engine can). */
  CompletableFuture<Long> readNow(IoFile f, long offset, MemorySegment dst) {
    return engine.execute(new IoRequest.Read(f, offset, dst, false));
  }

  /** Writes 6,000 random bytes (one and a half pages) to {@code p} and returns them. */
  static byte[] randomFile(Path p, long seed) throws java.io.IOException {
    byte[] data = new byte[6000];
    new Random(seed).nextBytes(data);
    Files.write(p, data);
    return data;
  }

  IoFile create(String name) {
    return engine.open(dir.resolve(name), FileOpenOptions.createReadWrite());
  }

  @Test
  void writtenPagesReadBack() throws Exception {
    IoFile f = create("a");
    List<MemorySegment> pages = new ArrayList<>();
    List<IoRequest> writes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pages.add(page(i));
      writes.add(new IoRequest.Write(f, (long) i * PAGE, pages.get(i)));
    }
    for (CompletableFuture<Long> w : engine.submit(writes)) assertThat(get(w)).isEqualTo(PAGE);
    assertThat(f.size()).isEqualTo(8L * PAGE);
    List<IoRequest> reads = new ArrayList<>();
    List<MemorySegment> got = new ArrayList<>();
    for (int i = 7; i >= 0; i--) {
      MemorySegment b = buffer(PAGE);
      got.add(b);
      reads.add(new IoRequest.Read(f, (long) i * PAGE, b, true));
    }
    List<CompletableFuture<Long>> fs = engine.submit(reads);
    for (int i = 0; i < 8; i++) {
      assertThat(get(fs.get(i))).isEqualTo(PAGE);
      assertThat(got.get(i).mismatch(pages.get(7 - i))).isEqualTo(-1);
    }
  }

  @Test
  void vectoredWriteLandsBuffersBackToBack() throws Exception {
    IoFile f = create("v");
    List<MemorySegment> pages = List.of(page(1), page(2), page(3));
    assertThat(get(engine.write(f, PAGE, pages))).isEqualTo(3L * PAGE);
    MemorySegment all = buffer(4L * PAGE);
    assertThat(get(engine.read(f, 0, all))).isEqualTo(4L * PAGE);
    assertThat(all.asSlice(0, PAGE).mismatch(buffer(PAGE))).isEqualTo(-1); // the hole reads as zeros
    for (int i = 0; i < 3; i++) {
      assertThat(all.asSlice((long) (i + 1) * PAGE, PAGE).mismatch(pages.get(i))).isEqualTo(-1);
    }
  }

  @Test
  void syncStartsOnlyAfterEarlierWritesToTheFileCompleted() throws Exception {
    IoFile f = create("s");
    List<IoRequest> batch = new ArrayList<>();
    for (int i = 0; i < 32; i++) batch.add(new IoRequest.Write(f, (long) i * PAGE, page(i)));
    batch.add(new IoRequest.Sync(f, false));
    batch.add(new IoRequest.Sync(f, true));
    List<CompletableFuture<Long>> fs = engine.submit(batch);
    List<CompletableFuture<Long>> writes = fs.subList(0, 32);
    AtomicReference<Long> notDoneAtSync = new AtomicReference<>();
    // Checked at the moment the sync completes, on the completing thread.
    CompletableFuture<Void> check = fs.get(32).thenAccept(v ->
        notDoneAtSync.set(writes.stream().filter(w -> !w.isDone()).count()));
    assertThat(get(fs.get(32))).isZero();
    assertThat(get(fs.get(33))).isZero();
    get(check);
    assertThat(notDoneAtSync.get()).isZero();
    for (CompletableFuture<Long> w : writes) assertThat(w.isDone() && !w.isCompletedExceptionally()).isTrue();
  }

  /** {@link IoEngine#execute} (inline where the engine can) does what submit does, errors included. */
  @Test
  void executeWritesAndSyncsAsSubmitDoes() throws Exception {
    IoFile f = create("x");
    assertThat(get(engine.execute(new IoRequest.Write(f, PAGE, page(3))))).isEqualTo(PAGE);
    assertThat(get(engine.execute(new IoRequest.Sync(f, true)))).isZero();
    assertThat(get(engine.execute(new IoRequest.Sync(f, false)))).isZero();
    MemorySegment in = buffer(PAGE);
    assertThat(get(engine.execute(new IoRequest.Read(f, PAGE, in, true)))).isEqualTo(PAGE);
    assertThat(in.mismatch(page(3))).isEqualTo(-1);

    IoFile ro = engine.open(dir.resolve("x"), FileOpenOptions.readOnly());
    assertThat(failure(engine.execute(new IoRequest.Write(ro, 0, page(4))))).isInstanceOf(IoFailedException.class)
        .hasMessageContaining("write").hasMessageContaining(dir.resolve("x").toString());
    f.close();
    assertThat(failure(engine.execute(new IoRequest.Sync(f, true)))).isInstanceOf(ClosedException.class);
    IoFile g = create("y");
    engine.close();
    assertThat(failure(engine.execute(new IoRequest.Write(g, 0, page(5))))).isInstanceOf(ClosedException.class);
  }

  /** An executed sync still starts only after the writes to its file submitted before it. */
  @Test
  void anExecutedSyncWaitsForEarlierWritesToItsFile() throws Exception {
    IoFile f = create("es");
    List<IoRequest> batch = new ArrayList<>();
    for (int i = 0; i < 32; i++) batch.add(new IoRequest.Write(f, (long) i * PAGE, page(i)));
    List<CompletableFuture<Long>> writes = engine.submit(batch);
    AtomicReference<Long> notDoneAtSync = new AtomicReference<>();
    CompletableFuture<Long> sync = engine.execute(new IoRequest.Sync(f, true));
    CompletableFuture<Void> check = sync.thenAccept(v -> notDoneAtSync.set(writes.stream().filter(w -> !w.isDone()).count()));
    assertThat(get(sync)).isZero();
    get(check);
    assertThat(notDoneAtSync.get()).isZero();
  }

  @Test
  void shortReadAtEndOfFileIsReportedAsSuch() throws Exception {
    Path p = dir.resolve("short");
    byte[] data = randomFile(p, 7);
    IoFile f = engine.open(p, FileOpenOptions.readOnly());
    MemorySegment b = buffer(2L * PAGE);
    assertThat(get(engine.read(f, PAGE, b))).isEqualTo(6000 - PAGE);
    assertThat(b.asSlice(0, 6000 - PAGE).toArray(ValueLayout.JAVA_BYTE))
        .isEqualTo(java.util.Arrays.copyOfRange(data, PAGE, 6000));
    assertThat(get(engine.read(f, 2L * PAGE, b))).isZero();
    assertThat(get(engine.read(f, 1L << 40, b))).isZero();
    Throwable t = failure(engine.readFully(f, PAGE, b));
    assertThat(t).isInstanceOf(ShortReadException.class).hasMessageContaining(p.toString())
        .hasMessageContaining("after " + (6000 - PAGE) + " bytes");
    assertThat(((ShortReadException) t).bytesRead()).isEqualTo(6000 - PAGE);
    assertThat(failure(engine.readFully(f, 3L * PAGE, b))).isInstanceOf(ShortReadException.class)
        .hasMessageContaining("offset " + 3L * PAGE);
  }

  @Test
  void aDirectReadAcrossTheEndOfFileIsShort() throws Exception {
    Path p = dir.resolve("shortdirect");
    byte[] data = new byte[6000];
    new Random(8).nextBytes(data);
    Files.write(p, data);
    IoFile f = engine.open(p, FileOpenOptions.readOnly().withDirect(true));
    MemorySegment b = buffer(2L * PAGE);
    assertThat(get(engine.read(f, PAGE, b))).isEqualTo(6000 - PAGE);
    assertThat(b.asSlice(0, 6000 - PAGE).toArray(ValueLayout.JAVA_BYTE))
        .isEqualTo(java.util.Arrays.copyOfRange(data, PAGE, 6000));
    assertThat(failure(engine.readFully(f, 0, b))).isInstanceOf(ShortReadException.class);
  }

  /** A read through execute is a read: same bytes, short at the end, the same checks, failures and statistics. */
  @Test
  void anExecutedReadIsARead() throws Exception {
    Path p = dir.resolve("caller");
    byte[] data = randomFile(p, 9);
    IoFile f = engine.open(p, FileOpenOptions.readOnly());
    MemorySegment b = buffer(2L * PAGE);
    long reads = engine.stats().reads();
    assertThat(get(readNow(f, 0, b))).isEqualTo(6000);
    assertThat(b.asSlice(0, 6000).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(data);
    assertThat(get(readNow(f, PAGE, b))).isEqualTo(6000 - PAGE);
    assertThat(get(readNow(f, 1L << 40, b))).isZero();
    assertThat(engine.stats().reads() - reads).isEqualTo(3);
    assertThat(engine.stats().bytesRead()).isEqualTo(6000 + 6000 - PAGE);
    IoFile d = engine.open(p, FileOpenOptions.readOnly().withDirect(true));
    assertThat(failure(readNow(d, 100, buffer(PAGE)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset 100");
    assertThat(failure(readNow(d, 0, buffer(2L * PAGE).asSlice(512, PAGE))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aligned");
    assertThat(get(readNow(d, 0, buffer(2L * PAGE)))).isEqualTo(6000);
    try (Arena gone = Arena.ofShared()) {
      MemorySegment dead = gone.allocate(PAGE, PAGE);
      gone.close();
      assertThat(failure(readNow(f, 0, dead))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no longer alive");
    } catch (IllegalStateException alreadyClosed) {
      // closing twice: the arena was closed inside the block on purpose
    }
    f.close();
    assertThat(failure(readNow(f, 0, b))).isInstanceOf(ClosedException.class)
        .hasMessageContaining(p.toString());
    try (IoEngine other = newEngine(IoOptions.builder())) {
      IoFile o = other.open(p, FileOpenOptions.readOnly());
      assertThat(failure(readNow(o, 0, b))).isInstanceOf(IllegalArgumentException.class);
    }
    engine.close();
    assertThat(failure(readNow(d, 0, buffer(PAGE)))).isInstanceOf(ClosedException.class);
  }

  @Test
  void aDeviceErrorFailsOnlyItsRequest() throws Exception {
    IoFile rw = create("rw");
    get(engine.write(rw, 0, page(5)));
    IoFile ro = engine.open(dir.resolve("rw"), FileOpenOptions.readOnly());
    MemorySegment in1 = buffer(PAGE);
    MemorySegment in2 = buffer(PAGE);
    List<CompletableFuture<Long>> fs = engine.submit(List.of(
        new IoRequest.Read(rw, 0, in1, true),
        new IoRequest.Write(ro, 0, page(9)), // not open for writing: EBADF from the OS
        new IoRequest.Read(ro, 0, in2, true)));
    assertThat(get(fs.get(0))).isEqualTo(PAGE);
    assertThat(failure(fs.get(1))).isInstanceOf(IoFailedException.class)
        .hasMessageContaining("write").hasMessageContaining(dir.resolve("rw").toString());
    assertThat(get(fs.get(2))).isEqualTo(PAGE);
    assertThat(in1.mismatch(page(5))).isEqualTo(-1);
    assertThat(in2.mismatch(page(5))).isEqualTo(-1);
  }

  @Test
  void openingAMissingFileNamesIt() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> engine.open(missing, FileOpenOptions.readOnly()))
        .isInstanceOf(IoFailedException.class).hasMessageContaining(missing.toString())
        .hasMessageContaining("ENOENT");
  }

  @Test
  void aClosedFileRefusesRequestsWhileOthersGoOn() throws Exception {
    IoFile a = create("a");
    IoFile b = create("b");
    get(engine.write(a, 0, page(1)));
    a.close();
    a.close(); // twice is harmless
    assertThat(a.isOpen()).isFalse();
    assertThat(failure(engine.read(a, 0, buffer(PAGE)))).isInstanceOf(ClosedException.class)
        .hasMessageContaining(dir.resolve("a").toString());
    assertThat(get(engine.write(b, 0, page(2)))).isEqualTo(PAGE);
    assertThatThrownBy(a::size).isInstanceOf(ClosedException.class);
  }

  @Test
  void requestsAfterCloseFailWithClosedException() throws Exception {
    IoFile a = create("a");
    engine.close();
    engine.close();
    assertThat(failure(engine.read(a, 0, buffer(PAGE)))).isInstanceOf(ClosedException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> create("b")).isInstanceOf(ClosedException.class);
  }

  @Test
  void closeWithIoInFlightLeavesNoRequestHanging() throws Exception {
    IoFile f = create("big");
    get(engine.write(f, 0, buffer(64L * PAGE)));
    List<IoRequest> reads = new ArrayList<>();
    for (int i = 0; i < 500; i++) reads.add(new IoRequest.Read(f, (long) (i % 64) * PAGE, buffer(PAGE), true));
    List<CompletableFuture<Long>> fs = engine.submit(reads);
    engine.close();
    for (CompletableFuture<Long> fut : fs) {
      assertThat(fut).isDone();
      if (fut.isCompletedExceptionally()) assertThat(failure(fut)).isInstanceOf(ClosedException.class);
      else assertThat(fut.get()).isEqualTo(PAGE);
    }
    assertThat(f.isOpen()).isFalse();
  }

  @Test
  void directIoChecksAlignmentPerRequest() throws Exception {
    IoFile f = engine.open(dir.resolve("d"), FileOpenOptions.createReadWrite().withDirect(true));
    MemorySegment good = page(3);
    MemorySegment big = buffer(2L * PAGE);
    List<CompletableFuture<Long>> fs = engine.submit(List.of(
        new IoRequest.Write(f, 0, good),
        new IoRequest.Write(f, 100, page(4)),                       // offset
        new IoRequest.Write(f, PAGE, big.asSlice(512, PAGE)),        // buffer address
        new IoRequest.Read(f, 0, buffer(PAGE).asSlice(0, 1000), false))); // length
    assertThat(get(fs.get(0))).isEqualTo(PAGE);
    assertThat(failure(fs.get(1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 100");
    assertThat(failure(fs.get(2))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aligned");
    assertThat(failure(fs.get(3))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 1000");
    MemorySegment in = buffer(PAGE);
    assertThat(get(engine.readFully(f, 0, in))).isEqualTo(PAGE);
    assertThat(in.mismatch(good)).isEqualTo(-1);
  }

  @Test
  void aFileOfAnotherEngineIsRefused() throws Exception {
    try (IoEngine other = newEngine(IoOptions.builder())) {
      IoFile theirs = other.open(dir.resolve("x"), FileOpenOptions.createReadWrite());
      assertThat(failure(engine.write(theirs, 0, page(1)))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not opened by this");
    }
  }

  @Test
  void tooManyBuffersInOneWriteAreRefused() throws Exception {
    IoFile f = create("w");
    List<MemorySegment> bufs = new ArrayList<>();
    for (int i = 0; i <= engine.maxIovecs(); i++) bufs.add(buffer(512));
    assertThat(failure(engine.write(f, 0, bufs))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIovecs");
  }

  @Test
  void aBufferOfAClosedArenaIsRefused() throws Exception {
    IoFile f = create("w");
    MemorySegment gone;
    try (Arena a = Arena.ofConfined()) {
      gone = a.allocate(PAGE, PAGE);
    }
    assertThat(failure(engine.write(f, 0, gone))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no longer alive");
  }

  @Test
  void aBufferOfAConfinedArenaIsRefused() throws Exception {
    IoFile f = create("w");
    try (Arena a = Arena.ofConfined()) {
      assertThat(failure(engine.write(f, 0, a.allocate(PAGE, PAGE)))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("confined");
    }
  }

  @Test
  void statsCountReadsWritesAndSequentialAccess() throws Exception {
    IoFile f = create("st");
    for (int i = 0; i < 4; i++) get(engine.write(f, (long) i * PAGE, page(i)));
    get(engine.write(f, 4L * PAGE, List.of(page(4), page(5))));
    for (int i = 0; i < 6; i++) get(engine.readFully(f, (long) i * PAGE, buffer(PAGE)));
    get(engine.readFully(f, 0, buffer(PAGE)));
    engine.metrics().recordPrefetchHit();
    engine.metrics().recordPrefetchMiss();
    engine.metrics().recordPrefetchMiss();
    var s = engine.stats();
    assertThat(s.writes()).isEqualTo(5);
    assertThat(s.bytesWritten()).isEqualTo(6L * PAGE);
    assertThat(s.reads()).isEqualTo(7);
    assertThat(s.bytesRead()).isEqualTo(7L * PAGE);
    assertThat(s.sequentialReads()).isEqualTo(5); // pages 1..5 each follow the previous read
    assertThat(s.randomReads()).isEqualTo(2);
    assertThat(s.prefetchHits()).isEqualTo(1);
    assertThat(s.prefetchMisses()).isEqualTo(2);
    assertThat(s.readLatencyP50Us()).isLessThanOrEqualTo(s.readLatencyP99Us());
    assertThat(s.readLatencyP99Us()).isLessThanOrEqualTo(s.readLatencyP999Us());
  }

  @Test
  void concurrentRandomWritesAndReadsMatchAModel() throws Exception {
    long seed = Seeds.of("concurrentRandomWritesAndReadsMatchAModel", "rustydb.test.seed");
    IoFile f = create("m");
    int pages = 64;
    int threads = 4;
    // Each thread owns the pages p with p % threads == its number, so the model per page is exact.
    long[] lastSeed = new long[pages];
    java.util.Arrays.fill(lastSeed, -1);
    CountDownLatch done = new CountDownLatch(threads);
    AtomicReference<Throwable> error = new AtomicReference<>();
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread.ofPlatform().start(() -> {
        Random r = new Random(seed + me);
        try (Arena a = Arena.ofShared()) {
          for (int i = 0; i < 200; i++) {
            int p = r.nextInt(pages / threads) * threads + me;
            if (r.nextBoolean() || lastSeed[p] < 0) {
              long s = r.nextLong();
              MemorySegment b = a.allocate(PAGE, PAGE);
              fill(b, s);
              get(engine.write(f, (long) p * PAGE, b));
              lastSeed[p] = s;
            } else {
              MemorySegment b = a.allocate(PAGE, PAGE);
              get(engine.readFully(f, (long) p * PAGE, b));
              MemorySegment expect = a.allocate(PAGE, PAGE);
              fill(expect, lastSeed[p]);
              if (b.mismatch(expect) != -1) throw new AssertionError("page " + p + " differs (seed " + seed + ")");
            }
          }
        } catch (Throwable e) {
          error.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      });
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(error.get()).as("seed " + seed).isNull();
  }
}
