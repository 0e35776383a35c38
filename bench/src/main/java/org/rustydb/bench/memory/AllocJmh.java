package org.rustydb.bench.memory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
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
import org.rustydb.memory.MemoryManager;
import org.rustydb.memory.MemoryOptions;
import org.rustydb.memory.SlabAllocator;
import org.rustydb.memory.TransactionArena;
import org.rustydb.memory.TransactionProfile;

/**
 * JMH version of the small-allocation rows of {@code rustydb bench alloc}, to check its harness:
 * {@code java --enable-native-access=ALL-UNNAMED -cp "cli/target/rustydb-cli.jar:cli/target/lib/*"
 * org.openjdk.jmh.Main AllocJmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AllocJmh {

  @Param({"64", "512", "4096"})
  int size;

  private MemoryManager memory;
  private SlabAllocator slab;
  private SlabAllocator.Local local;
  private TransactionArena arena;

  @Setup(Level.Trial)
  public void open() {
    memory = MemoryManager.open(MemoryOptions.builder().forecastInterval(Duration.ZERO).build());
    slab = memory.slab();
    local = slab.local();
    arena = memory.arenas().acquire(TransactionProfile.TINY);
  }

  @TearDown(Level.Trial)
  public void close() {
    arena.close();
    memory.close();
  }

  @Benchmark
  public long slab() {
    long a = local.allocate(size);
    local.free(a);
    return a;
  }

  @Benchmark
  public long slabSegment() {
    MemorySegment s = slab.allocate(size);
    slab.free(s);
    return s.address();
  }

  @Benchmark
  public long malloc() {
    long a = LibcMalloc.malloc(size);
    LibcMalloc.free(a);
    return a;
  }

  @Benchmark
  public long arenaReset() {
    long a = arena.allocate(size).address();
    arena.reset();
    return a;
  }
}
