package org.rustydb.bench.page;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.infra.Blackhole;
import org.rustydb.page.PageType;
import org.rustydb.page.SlottedPage;

/** Slotted-page insert (fill a fresh off-heap page) and read (every tuple of a full page). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SlottedPageBenchmark {

  @Param({"16", "100"})
  int tupleSize;

  private Arena arena;
  private MemorySegment frame;
  private MemorySegment full;
  private final SlottedPage page = new SlottedPage();
  private byte[] tuple;
  private int tuplesInFull;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    frame = arena.allocate(4096, 4096);
    full = arena.allocate(4096, 4096);
    tuple = new byte[tupleSize];
    new SlottedPage().wrap(full).format(1L << 40, PageType.HEAP);
    SlottedPage p = new SlottedPage().wrap(full);
    while (p.insert(tuple) != SlottedPage.PAGE_FULL) tuplesInFull++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** Formats a page and inserts tuples until it is full; one op = one page filled. */
  @Benchmark
  public int fillPage() {
    page.wrap(frame).format(1L << 40, PageType.HEAP);
    int n = 0;
    while (page.insert(tuple) != SlottedPage.PAGE_FULL) n++;
    return n;
  }

  /** Reads every tuple of a full page through zero-copy slices; one op = one page read. */
  @Benchmark
  public void readPage(Blackhole bh) {
    page.wrap(full);
    for (int s = 0; s < tuplesInFull; s++) bh.consume(page.tuple(s).byteSize());
  }
}
