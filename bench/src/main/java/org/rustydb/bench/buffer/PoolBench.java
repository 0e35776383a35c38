package org.rustydb.bench.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;
import org.rustydb.bench.DataDirs;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.buffer.InMemoryPageFileStore;
import org.rustydb.buffer.OptimisticGuard;
import org.rustydb.buffer.PageTable;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.buffer.Replacer;
import org.rustydb.disk.PageFileStore;
import org.rustydb.disk.PageId;

/**
 * The runner behind {@code rustydb bench pool}: buffer pool throughput next to its baseline, measured in the
 * same process and run.
 *
 * <ul>
 *   <li><b>resident</b>: every page is in the pool; each operation is one read-guard acquire + release (or
 *       one optimistic read's acquire + validate), without touching the page's bytes, over the same random page
 *       ids that {@code chm-get} looks up (without unboxing the value) in a
 *       {@code ConcurrentHashMap<Long,Integer>} (pre-boxed keys: the map's best case). The row
 *       {@code pool-read-guard-no-policy} is the same with the pool's hitWindow at its maximum, so that no hit
 *       reaches the policy: the pool's own cost, without the policy's bookkeeping. The page-table candidates
 *       alone: {@code pagetable-get} (the pool's {@link PageTable}), {@code chm-get}, and
 *       {@code rwlock64-get} (the spec's sample: 64 read-write-locked HashMap shards).</li>
 *   <li><b>disk4x</b>: the file is 4x the pool, on a real file ({@link FileChannelPageStore}, O_DIRECT where
 *       the file system allows it); random and sequential page reads, with the prefetcher on and off.</li>
 * </ul>
 * Each figure is the median of {@code runs} timed runs after a warm-up; the resident benchmarks' runs are
 * interleaved. Resident figures count operations per second of thread CPU time by default ({@code cpuClock}):
 * on a shared, loaded machine wall-clock rates of CPU-bound loops swing by 5x from run to run, while CPU-time
 * rates do not (and equal wall-clock rates whenever each thread has a core). disk4x figures are always per
 * wall-clock second, since their threads wait for I/O.
 */
public final class PoolBench {

  /** One result row: {@code benchmark,threads,ops_per_s}. */
  public record Row(String benchmark, int threads, double opsPerSecond) {}

  /** What to run. */
  public record Options(List<Integer> threads, List<String> suites, double seconds, int runs, Path dir,
      IntFunction<Replacer> replacer, int hitWindow, boolean cpuClock, int prefetchThreads) {

    public Options {
      if (threads.isEmpty() || threads.stream().anyMatch(t -> t <= 0)) {
        throw new IllegalArgumentException("thread counts must be positive: " + threads);
      }
      for (String s : suites) {
        if (!s.equals("resident") && !s.equals("disk4x")) {
          throw new IllegalArgumentException("unknown suite " + s + " (resident, disk4x)");
        }
      }
      if (seconds <= 0 || runs <= 0) throw new IllegalArgumentException("seconds and runs must be positive");
      if (prefetchThreads <= 0) throw new IllegalArgumentException("prefetch threads must be positive");
    }
  }

  static final int RESIDENT_PAGES = 8192;
  static final int RESIDENT_FRAMES = RESIDENT_PAGES; // a full pool
  static final int DISK_FRAMES = 4096;          // 16 MiB pool
  static final int DISK_PAGES = DISK_FRAMES * 4; // 64 MiB file
  static final int IDS = 1 << 16;
  static final int FILE = 1;

  private PoolBench() {}

  /** Runs the suites; each row is handed to {@code out} as soon as it is measured. */
  public static void run(Options o, java.util.function.Consumer<Row> out) {
    if (o.suites().contains("resident")) resident(o, out);
    if (o.suites().contains("disk4x")) disk(o, out);
  }

  // ---------------------------------------------------------------- resident

  private static void resident(Options o, java.util.function.Consumer<Row> out) {
    SplittableRandom rnd = new SplittableRandom(42);
    long[] ids = new long[IDS];
    Long[] boxed = new Long[IDS];
    for (int i = 0; i < IDS; i++) {
      ids[i] = PageId.of(FILE, rnd.nextInt(RESIDENT_PAGES));
      boxed[i] = ids[i];
    }
    ConcurrentHashMap<Long, Integer> chm = new ConcurrentHashMap<>();
    PageTable table = new PageTable(RESIDENT_FRAMES);
    RwLockShards shards = new RwLockShards();
    for (int i = 0; i < RESIDENT_PAGES; i++) {
      chm.put(PageId.of(FILE, i), i);
      table.put(PageId.of(FILE, i), i);
      shards.put(PageId.of(FILE, i), i);
    }
    try (BufferPool pool = residentPool(o, o.hitWindow());
        BufferPool unrecorded = residentPool(o, Integer.MAX_VALUE)) {
      for (int threads : o.threads()) {
        java.util.LinkedHashMap<String, Body> bodies = new java.util.LinkedHashMap<>();
        bodies.put("chm-get", (t, stop) -> {
          long ops = 0;
          long sum = 0;
          int i = t * 7919;
          while (!stop.stop) {
            for (int k = 0; k < 256; k++) {
              Integer v = chm.get(boxed[i++ & (IDS - 1)]);
              if (v != null) sum++; // the reference, not the boxed value: get() alone, as a guard's acquire
            }
            ops += 256;
          }
          sink(sum);
          return ops;
        });
        bodies.put("pagetable-get", (t, stop) -> {
          long ops = 0;
          long sum = 0;
          int i = t * 7919;
          while (!stop.stop) {
            for (int k = 0; k < 256; k++) sum += table.get(ids[i++ & (IDS - 1)]);
            ops += 256;
          }
          sink(sum);
          return ops;
        });
        bodies.put("rwlock64-get", (t, stop) -> {
          long ops = 0;
          long sum = 0;
          int i = t * 7919;
          while (!stop.stop) {
            for (int k = 0; k < 256; k++) {
              Integer v = shards.get(boxed[i++ & (IDS - 1)]);
              if (v != null) sum++;
            }
            ops += 256;
          }
          sink(sum);
          return ops;
        });
        bodies.put("pool-read-guard", (t, stop) -> readGuards(pool, ids, t, stop));
        bodies.put("pool-optimistic", (t, stop) -> optimistic(pool, ids, t, stop));
        bodies.put("pool-read-guard-no-policy", (t, stop) -> readGuards(unrecorded, ids, t, stop));
        // Interleaved: run r of every benchmark, then run r+1, so that a noisy moment hits all of them.
        java.util.Map<String, double[]> results = new java.util.LinkedHashMap<>();
        bodies.forEach((name, body) -> {
          timed(threads, Math.max(0.2, o.seconds() / 2), o.cpuClock(), body); // warm-up
          results.put(name, new double[o.runs()]);
        });
        for (int r = 0; r < o.runs(); r++) {
          for (var e : bodies.entrySet()) results.get(e.getKey())[r] = timed(threads, o.seconds(), o.cpuClock(), e.getValue());
        }
        results.forEach((name, r) -> out.accept(new Row(name, threads, median(r))));
      }
    }
  }

  /** The spec's sample page table: 64 shards, each a HashMap behind a read-write lock, golden-ratio hash. */
  static final class RwLockShards {
    private final java.util.HashMap<Long, Integer>[] maps;
    private final java.util.concurrent.locks.ReentrantReadWriteLock[] locks;

    @SuppressWarnings("unchecked")
    RwLockShards() {
      maps = new java.util.HashMap[64];
      locks = new java.util.concurrent.locks.ReentrantReadWriteLock[64];
      for (int i = 0; i < 64; i++) {
        maps[i] = new java.util.HashMap<>();
        locks[i] = new java.util.concurrent.locks.ReentrantReadWriteLock();
      }
    }

    private static int shard(long pageId) {
      return (int) (((pageId * 0x9E3779B97F4A7C15L) >>> 32) & 63);
    }

    Integer get(Long pageId) {
      int s = shard(pageId);
      var l = locks[s].readLock();
      l.lock();
      try {
        return maps[s].get(pageId);
      } finally {
        l.unlock();
      }
    }

    void put(long pageId, int frame) {
      int s = shard(pageId);
      locks[s].writeLock().lock();
      try {
        maps[s].put(pageId, frame);
      } finally {
        locks[s].writeLock().unlock();
      }
    }
  }

  /** A pool holding every page of the resident set, with the given hitWindow. */
  private static BufferPool residentPool(Options o, int hitWindow) {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(FILE, RESIDENT_PAGES);
    BufferPool pool = new BufferPool(store, BufferPoolOptions.builder().frames(RESIDENT_FRAMES)
        .replacer(o.replacer()).hitWindow(hitWindow).prefetch(false).build());
    for (int i = 0; i < RESIDENT_PAGES; i++) pool.read(PageId.of(FILE, i)).close();
    return pool;
  }

  private static long readGuards(BufferPool pool, long[] ids, int t, Stop stop) {
    long ops = 0;
    long sum = 0;
    int i = t * 7919;
    while (!stop.stop) {
      for (int k = 0; k < 256; k++) {
        try (ReadGuard g = pool.read(ids[i++ & (IDS - 1)])) {
          sum += g.pageId();
        }
      }
      ops += 256;
    }
    sink(sum);
    return ops;
  }

  private static long optimistic(BufferPool pool, long[] ids, int t, Stop stop) {
    long ops = 0;
    long sum = 0;
    int i = t * 7919;
    while (!stop.stop) {
      for (int k = 0; k < 256; k++) {
        long id = ids[i++ & (IDS - 1)];
        OptimisticGuard g = pool.optimisticRead(id);
        if (g.validate()) sum++;
      }
      ops += 256;
    }
    sink(sum);
    return ops;
  }

  // ---------------------------------------------------------------- working set 4x the pool

  private static void disk(Options o, java.util.function.Consumer<Row> out) {
    Path dir = o.dir();
    try {
      Files.createDirectories(dir);
      boolean direct = FileChannelPageStore.directSupported(dir);
      try (FileChannelPageStore store = new FileChannelPageStore(dir, direct)) {
        store.createFile(FILE, DISK_PAGES);
        for (String pattern : List.of("seq", "random")) {
          for (boolean prefetch : List.of(false, true)) {
            String name = "disk4x-" + pattern + "-prefetch-" + (prefetch ? "on" : "off") + (direct ? "" : "-pagecache");
            for (int threads : o.threads()) {
              out.accept(new Row(name, threads, diskRun(o, store, pattern.equals("seq"), prefetch, threads)));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        DataDirs.deleteTree(dir);
      } catch (IOException ignored) {
        // best effort: a scratch directory left behind
      }
    }
  }

  private static double diskRun(Options o, PageFileStore store, boolean sequential, boolean prefetch, int threads) {
    // A fresh pool per configuration, so one run's resident set does not help the next.
    try (BufferPool pool = new BufferPool(store, BufferPoolOptions.builder().frames(DISK_FRAMES)
        .replacer(o.replacer()).hitWindow(o.hitWindow()).prefetch(prefetch)
        .prefetchThreads(o.prefetchThreads()).build())) {
      return median(o, threads, (t, stop) -> {
        long ops = 0;
        long sum = 0;
        SplittableRandom rnd = new SplittableRandom(t * 31L + 7);
        // Sequential: each thread scans its own share of the file, over and over.
        long from = (long) DISK_PAGES * t / threads;
        long to = (long) DISK_PAGES * (t + 1) / threads;
        long next = from;
        while (!stop.stop) {
          long no;
          if (sequential) {
            no = next++;
            if (next == to) next = from;
          } else {
            no = rnd.nextInt(DISK_PAGES);
          }
          try (ReadGuard g = pool.read(PageId.of(FILE, no))) {
            sum += g.getLong(64);
          }
          ops++;
        }
        sink(sum);
        return ops;
      });
    }
  }

  // ---------------------------------------------------------------- timing

  static final class Stop {
    volatile boolean stop;
  }

  @FunctionalInterface
  interface Body {
    long run(int thread, Stop stop);
  }

  private static volatile long blackhole;

  private static void sink(long v) {
    blackhole += v;
  }

  private static double median(Options o, int threads, Body body) {
    timed(threads, Math.max(0.2, o.seconds() / 2), false, body); // warm-up
    double[] r = new double[o.runs()];
    for (int i = 0; i < r.length; i++) r[i] = timed(threads, o.seconds(), false, body);
    return median(r);
  }

  private static double median(double[] r) {
    double[] c = r.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  /**
   * Runs {@code body} on {@code threads} threads for {@code seconds}; returns operations per second: per
   * wall-clock second, or (cpuClock) the sum over threads of each thread's operations per second of its own
   * CPU time, which leaves out the time the machine's other load took the core away.
   */
  private static double timed(int threads, double seconds, boolean cpuClock, Body body) {
    Stop stop = new Stop();
    long[] ops = new long[threads];
    double[] perCpuSecond = new double[threads];
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts.add(Thread.ofPlatform().name("bench-pool-" + t).start(() -> {
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long cpu0 = mx.getCurrentThreadCpuTime();
        ops[id] = body.run(id, stop);
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        perCpuSecond[id] = cpu > 0 ? ops[id] / (cpu / 1e9) : 0;
      }));
    }
    try {
      ready.await();
      long start = System.nanoTime();
      go.countDown();
      Thread.sleep((long) (seconds * 1000));
      stop.stop = true;
      for (Thread t : ts) t.join();
      double elapsed = (System.nanoTime() - start) / 1e9;
      return cpuClock ? Arrays.stream(perCpuSecond).sum() : Arrays.stream(ops).sum() / elapsed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

}
