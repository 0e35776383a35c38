package org.rustydb.bench.btree;

import java.util.Arrays;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
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
import org.rustydb.buffer.InMemoryPageFileStore;
import org.rustydb.engine.btree.BTree;

/**
 * Point get and put (replace of an existing key) on a resident B+tree of {@code records} 16-byte keys with
 * 100-byte values, next to {@link ConcurrentSkipListMap} with the same keys (unsigned-byte order) and
 * values, uniform random keys. The pool holds the whole tree, so this measures the tree, the guards and
 * the page table, not I/O.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BTreeBenchmark {

  @Param({"1000000"})
  int records;

  private BufferPool pool;
  private BTree tree;
  private ConcurrentSkipListMap<byte[], byte[]> skipList;
  private byte[][] keys;
  private final byte[] value = new byte[100];

  static byte[] key(long i) {
    byte[] k = new byte[16];
    long x = i * 0x9E3779B97F4A7C15L; // spread: keys are not inserted in order
    for (int b = 0; b < 8; b++) k[b] = (byte) (x >>> (56 - 8 * b));
    for (int b = 0; b < 8; b++) k[8 + b] = (byte) (i >>> (56 - 8 * b));
    return k;
  }

  @Setup(Level.Trial)
  public void setUp() {
    InMemoryPageFileStore store = new InMemoryPageFileStore();
    store.createFile(1);
    int frames = Math.max(1024, records / 20); // ~2x the tree's pages for 16 + 100 byte entries
    pool = new BufferPool(store, BufferPoolOptions.builder().frames(frames).build());
    tree = BTree.create(pool, 1);
    skipList = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    keys = new byte[records][];
    for (int i = 0; i < records; i++) {
      keys[i] = key(i);
      tree.put(keys[i], value);
      skipList.put(keys[i], value);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  private byte[] randomKey() {
    return keys[ThreadLocalRandom.current().nextInt(records)];
  }

  @Benchmark
  public byte[] btreeGet() {
    return tree.get(randomKey());
  }

  @Benchmark
  public boolean btreePut() {
    return tree.put(randomKey(), value);
  }

  @Benchmark
  public byte[] skipListGet() {
    return skipList.get(randomKey());
  }

  @Benchmark
  public byte[] skipListPut() {
    return skipList.put(randomKey(), value);
  }
}
