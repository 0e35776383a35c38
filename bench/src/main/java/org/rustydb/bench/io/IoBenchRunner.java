package org.rustydb.bench.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.rustydb.io.FileOpenOptions;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoFile;
import org.rustydb.io.IoOptions;
import org.rustydb.io.IoRequest;

/**
 * Runs {@link IoBenchConfig}s the way fio does with {@code --iodepth=N --direct=1}: a closed loop of
 * {@code depth} requests in flight, each completion immediately replaced by the next request from its
 * completion callback (for io_uring that is the completion thread, so submission and reaping share one
 * {@code io_uring_enter}, as in fio's loop). Buffers are one aligned region, registered with the engine
 * (fixed buffers on io_uring). Latency per request goes to an HdrHistogram {@link Recorder}.
 */
public final class IoBenchRunner {

  private IoBenchRunner() {}

  /** Creates the file or grows it to {@code size} bytes of random data, so reads hit real blocks. */
  public static void prepareFile(IoBenchConfig c) throws IOException {
    if (Files.exists(c.file()) && Files.size(c.file()) >= c.size()) return;
    if (c.file().getParent() != null) Files.createDirectories(c.file().getParent());
    try (FileChannel ch = FileChannel.open(c.file(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
      SplittableRandom r = new SplittableRandom(42);
      long pos = ch.size() - ch.size() % (1 << 20);
      while (pos < c.size()) {
        chunk.clear();
        while (chunk.hasRemaining()) chunk.putLong(r.nextLong());
        chunk.flip();
        chunk.limit((int) Math.min(chunk.capacity(), c.size() - pos));
        while (chunk.hasRemaining()) pos += ch.write(chunk, pos);
      }
      ch.force(true);
    }
  }

  public static IoBenchResult run(IoBenchConfig c) throws IOException, InterruptedException {
    prepareFile(c);
    int qd = Integer.highestOneBit(Math.max(8, c.depth()) * 2 - 1);
    IoOptions options = IoOptions.builder().engine(c.engine()).queueDepth(Math.min(4096, qd))
        .workerThreads(c.depth()).build();
    try (IoEngine engine = IoEngines.create(options); Arena arena = Arena.ofShared()) {
      MemorySegment region = arena.allocate((long) c.blockSize() * c.depth(), 4096);
      region.fill((byte) 0x5a);
      engine.registerBuffers(region);
      boolean write = c.pattern() == IoBenchConfig.Pattern.RANDWRITE;
      IoFile file = engine.open(c.file(), new FileOpenOptions(write, false, true));
      try {
        return new Loop(engine, file, region, c).run();
      } finally {
        file.close();
        engine.unregisterBuffers();
      }
    }
  }

  /** The closed loop: one "lane" per request in flight. */
  private static final class Loop {
    final IoEngine engine;
    final IoFile file;
    final MemorySegment region;
    final IoBenchConfig c;
    final long blocks;
    final AtomicLong cursor = new AtomicLong();
    final Recorder latency = new Recorder(3);
    final AtomicLong measuredOps = new AtomicLong();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final CountDownLatch lanesDone;
    volatile long measureStart;
    volatile long measureEnd;

    Loop(IoEngine engine, IoFile file, MemorySegment region, IoBenchConfig c) {
      this.engine = engine;
      this.file = file;
      this.region = region;
      this.c = c;
      this.blocks = c.size() / c.blockSize();
      this.lanesDone = new CountDownLatch(c.depth());
    }

    IoBenchResult run() throws InterruptedException {
      long now = System.nanoTime();
      measureStart = now + (long) (c.warmupSeconds() * 1e9);
      measureEnd = measureStart + (long) (c.seconds() * 1e9);
      for (int lane = 0; lane < c.depth(); lane++) {
        MemorySegment buf = region.asSlice((long) lane * c.blockSize(), c.blockSize());
        SplittableRandom random = new SplittableRandom(lane * 7919L + 1);
        if (c.callers() == IoBenchConfig.Callers.THREADS) {
          Thread.ofPlatform().daemon().name("io-bench-caller-" + lane).start(() -> callerLoop(buf, random));
        } else {
          issue(buf, random);
        }
      }
      long waitNanos = measureEnd - System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      if (!lanesDone.await(waitNanos, TimeUnit.NANOSECONDS)) throw new IllegalStateException("I/O did not finish");
      if (error.get() != null) throw new IllegalStateException("I/O failed: " + error.get(), error.get());
      Histogram h = latency.getIntervalHistogram();
      double secs = c.seconds();
      long ops = measuredOps.get();
      double iops = ops / secs;
      return new IoBenchResult(c, ops, secs, iops, iops * c.blockSize() / (1 << 20),
          h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private long nextOffset(SplittableRandom r) {
      if (c.pattern() == IoBenchConfig.Pattern.SEQREAD) {
        return (cursor.getAndIncrement() % blocks) * c.blockSize();
      }
      return r.nextLong(blocks) * c.blockSize();
    }

    /** One synchronous caller: submit, wait, repeat (the disk manager's pattern). */
    private void callerLoop(MemorySegment buf, SplittableRandom r) {
      try {
        while (error.get() == null) {
          long start = System.nanoTime();
          IoEngine.await(engine.submit(request(buf, r)));
          long end = System.nanoTime();
          if (start >= measureStart && end <= measureEnd) {
            latency.recordValue(end - start);
            measuredOps.incrementAndGet();
          }
          if (end >= measureEnd) break;
        }
      } catch (RuntimeException e) {
        error.compareAndSet(null, e);
      } finally {
        lanesDone.countDown();
      }
    }

    private IoRequest request(MemorySegment buf, SplittableRandom r) {
      long offset = nextOffset(r);
      return c.pattern() == IoBenchConfig.Pattern.RANDWRITE
          ? new IoRequest.Write(file, offset, buf)
          : new IoRequest.Read(file, offset, buf, true);
    }

    private void issue(MemorySegment buf, SplittableRandom r) {
      IoRequest req = request(buf, r);
      long start = System.nanoTime();
      CompletableFuture<Long> f = engine.submit(req);
      f.whenComplete((n, t) -> {
        long end = System.nanoTime();
        if (t != null) {
          error.compareAndSet(null, t);
          lanesDone.countDown();
          return;
        }
        if (start >= measureStart && end <= measureEnd) {
          latency.recordValue(end - start);
          measuredOps.incrementAndGet();
        }
        if (end < measureEnd && error.get() == null) {
          issue(buf, r);
        } else {
          lanesDone.countDown();
        }
      });
    }
  }
}
