package org.rustydb.bench.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import org.rustydb.bench.DataDirs;
import org.rustydb.stats.WalStats;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoEngines;
import org.rustydb.io.IoOptions;
import org.rustydb.io.IoPriority;
import org.rustydb.io.IoScheduler;
import org.rustydb.wal.Durability;
import org.rustydb.wal.EngineWalFile;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.SegmentNames;
import java.util.concurrent.locks.LockSupport;
import org.rustydb.wal.Lsn;
import org.rustydb.wal.WalOptions;
import org.rustydb.wal.WalWriter;

/**
 * The commit benchmark behind {@code rustydb bench commit}: T threads each loop "append a small COMMIT
 * record, then SYNC-flush it" for a fixed time; reports commits per second and the latency percentiles
 * of one commit. Each thread count gets a fresh log (default options: 16 MiB preallocated segments) in
 * {@code DIR/commit-T}, removed afterwards; it waits until the writer thread has prepared the next
 * segment, then warms up (not measured) for a quarter of the time, at most a second.
 */
public final class CommitBench {

  /** One row of the result. */
  public record Result(int threads, double commitsPerSecond, double p50Micros, double p99Micros, WalStats stats) {}

  private CommitBench() {}

  /** How the log's segment files are written. */
  public enum WalIo {
    /** {@code FileChannel} positional writes and {@code force(false)} ({@link org.rustydb.wal.NioWalFile}). */
    NIO,
    /** Through the I/O engine's scheduler at CRITICAL priority ({@link EngineWalFile}), as a database does. */
    ENGINE
  }

  public static Result run(Path dir, int threads, double seconds) throws IOException, InterruptedException {
    return run(dir, threads, seconds, WalIo.NIO);
  }

  public static Result run(Path dir, int threads, double seconds, WalIo io) throws IOException, InterruptedException {
    if (io == WalIo.NIO) return run(dir, threads, seconds, WalOptions.defaults());
    try (IoEngine engine = IoEngines.create(IoOptions.defaults())) {
      IoScheduler scheduler = new IoScheduler(engine, IoOptions.defaults().queueDepth(), 32);
      return run(dir, threads, seconds,
          WalOptions.builder().fileFactory(EngineWalFile.factory(scheduler.lane(IoPriority.CRITICAL))).build());
    }
  }

  /**
   * {@code CommitBench DIR THREADS[,THREADS...] SECONDS nio|engine}: the same runs as {@code rustydb bench
   * commit}, with the log written through {@link WalIo} {@code nio} or {@code engine}; prints
   * {@code threads,commits_per_s,p50_us,p99_us,commits_per_fsync}.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: CommitBench DIR THREADS[,THREADS...] SECONDS nio|engine");
      System.exit(2);
    }
    WalIo io = WalIo.valueOf(args[3].toUpperCase(java.util.Locale.ROOT));
    System.out.println("threads,commits_per_s,p50_us,p99_us,commits_per_fsync");
    for (String t : args[1].split(",")) {
      Result r = run(Path.of(args[0]), Integer.parseInt(t.trim()), Double.parseDouble(args[2]), io);
      System.out.printf(java.util.Locale.ROOT, "%d,%.0f,%.0f,%.0f,%.1f%n", r.threads(), r.commitsPerSecond(), r.p50Micros(),
          r.p99Micros(), r.stats().commitsPerFsync());
    }
  }

  private static Result run(Path dir, int threads, double seconds, WalOptions options) throws IOException, InterruptedException {
    Path data = dir.resolve("commit-" + threads);
    DataDirs.deleteTree(data);
    Files.createDirectories(data);
    try (WalWriter w = WalWriter.open(data, options)) {
      // The writer thread zero-fills the next 16 MiB segment right after open: let it finish first, so
      // its writes and fsync do not compete with the measured commits.
      Path next = data.resolve("wal").resolve(SegmentNames.name(2));
      long giveUp = System.nanoTime() + 60_000_000_000L;
      while (!Files.exists(next) && System.nanoTime() < giveUp) {
        LockSupport.parkNanos(1_000_000);
      }
      long warmupNanos = (long) Math.min(1e9, seconds * 0.25e9);
      loop(w, threads, warmupNanos, null);
      WalStats before = w.stats();
      Recorder recorder = new Recorder(3);
      long elapsed = loop(w, threads, (long) (seconds * 1e9), recorder);
      WalStats after = w.stats();
      Histogram h = recorder.getIntervalHistogram();
      long commits = after.syncCommits() - before.syncCommits();
      long fsyncs = after.fsyncs() - before.fsyncs();
      WalStats delta = new WalStats(after.recordsAppended() - before.recordsAppended(),
          after.bytesAppended() - before.bytesAppended(), fsyncs, after.commits() - before.commits(), commits,
          fsyncs == 0 ? 0 : (double) commits / fsyncs, after.segmentsCreated() - before.segmentsCreated(),
          after.segmentsRecycled() - before.segmentsRecycled(), after.segmentsRemoved() - before.segmentsRemoved(),
          0, 0, after.currentLsn(), after.durableLsn());
      return new Result(threads, commits / (elapsed / 1e9), h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0, delta);
    } finally {
      DataDirs.deleteTree(data);
    }
  }

  /** Runs the threads for {@code nanos}; returns the elapsed time. */
  private static long loop(WalWriter w, int threads, long nanos, Recorder recorder) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    long[] begin = new long[1];
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      long txn = t + 1;
      ts.add(Thread.ofPlatform().name("bench-committer-" + t).start(() -> {
        try {
          start.await();
          long deadline = begin[0] + nanos;
          long prev = Lsn.NULL;
          long i = 0;
          while (true) {
            long t0 = System.nanoTime();
            if (t0 >= deadline) break;
            prev = w.commit(new LogRecord.Commit(txn, prev, i++), Durability.SYNC);
            if (recorder != null) recorder.recordValue(System.nanoTime() - t0);
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    begin[0] = System.nanoTime();
    start.countDown();
    for (Thread t : ts) t.join();
    long elapsed = System.nanoTime() - begin[0];
    if (!errors.isEmpty()) throw new IllegalStateException("a committer failed: " + errors.getFirst(), errors.getFirst());
    return elapsed;
  }

}
