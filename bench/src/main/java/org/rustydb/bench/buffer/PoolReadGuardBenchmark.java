package org.rustydb.bench.buffer;

import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.buffer.LruReplacer;
import org.rustydb.buffer.InMemoryPageFileStore;
import org.rustydb.buffer.OptimisticGuard;
import org.rustydb.buffer.ReadGuard;
import org.rustydb.disk.PageId;

/**
 * JMH twin of {@code rustydb bench pool --suite resident}: a resident page's read guard (acquire, release)
 * and optimistic read (stamp, validate), and a read guard that also reads 8 bytes of the page, next to {@code ConcurrentHashMap.get} on the
 * same page ids. Run with {@code -t 1} and {@code -t 2} for the per-thread comparison, e.g.
 * {@code ./rustydb bench jmh PoolReadGuardBenchmark -p hitWindow=-1 -t 2 -prof gc}; with {@code -prof gc},
 * {@code gc.alloc.rate.norm} must be 0 B/op for every pool benchmark (the guards are scalar-replaced; see
 * {@code BufferPool.slowPath} for what keeps them so).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PoolReadGuardBenchmark {

  static final int PAGES = 8192;
  static final int IDS = 1 << 16;

  /** The pool's hitWindow: -1 its default; a huge value hands (almost) no hit to the policy. */
  @Param({"-1", "2147483647"})
  int hitWindow;

  BufferPool pool;
  ConcurrentHashMap<Long, Integer> chm;
  long[] ids;
  Long[] boxed;

  @State(Scope.Thread)
  public static class Cursor {
    int i;

    @Setup
    public void setUp() {
      i = (int) (Thread.currentThread().threadId() * 7919);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(1, PAGES);
    pool = new BufferPool(store, BufferPoolOptions.builder().frames(PAGES).replacer(LruReplacer::new)
        .hitWindow(hitWindow).prefetch(false).build());
    chm = new ConcurrentHashMap<>();
    for (int i = 0; i < PAGES; i++) {
      long id = PageId.of(1, i);
      pool.read(id).close();
      chm.put(id, i);
    }
    SplittableRandom rnd = new SplittableRandom(42);
    ids = new long[IDS];
    boxed = new Long[IDS];
    for (int i = 0; i < IDS; i++) {
      ids[i] = PageId.of(1, rnd.nextInt(PAGES));
      boxed[i] = ids[i];
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public Integer chmGet(Cursor c) {
    return chm.get(boxed[c.i++ & (IDS - 1)]);
  }

  @Benchmark
  public long poolReadGuard(Cursor c) {
    try (ReadGuard g = pool.read(ids[c.i++ & (IDS - 1)])) {
      return g.pageId();
    }
  }

  @Benchmark
  public boolean poolOptimistic(Cursor c) {
    OptimisticGuard g = pool.optimisticRead(ids[c.i++ & (IDS - 1)]);
    return g.validate();
  }

  /** A read guard that also reads 8 bytes of the page: adds the page's cache line (and TLB entry). */
  @Benchmark
  public long poolReadGuardAndRead(Cursor c) {
    try (ReadGuard g = pool.read(ids[c.i++ & (IDS - 1)])) {
      return g.getLong(64);
    }
  }
}
