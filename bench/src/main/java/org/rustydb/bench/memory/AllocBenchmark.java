package org.rustydb.bench.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.rustydb.memory.LargeObjectAllocator;
import org.rustydb.memory.MemoryManager;
import org.rustydb.memory.MemoryOptions;
import org.rustydb.memory.SlabAllocator;
import org.rustydb.memory.TransactionArena;
import org.rustydb.memory.TransactionProfile;

/**
 * {@code rustydb bench alloc}: the cost of an allocation and its free, for RustyDB's allocators and their
 * peers, measured in one run on one thread.
 *
 * <ul>
 *   <li>{@code slab}: {@link SlabAllocator.Local#allocate} + {@link SlabAllocator.Local#free} per size
 *       class: the magazine fast path through the thread's cache handle, on block addresses;</li>
 *   <li>{@code slab-segment}: {@link SlabAllocator#allocate} + {@link SlabAllocator#free}, the same with
 *       a lookup of the thread's cache per call and a {@code MemorySegment} per block (which the JIT may
 *       elide here, as the segment does not escape the loop);</li>
 *   <li>{@code arena}: {@link TransactionArena#allocate} (bump), with a reset after each megabyte
 *       allocated, amortized in;</li>
 *   <li>{@code arena-reset}: one 64-byte allocation and a {@link TransactionArena#reset} (the
 *       generation's scope is opened by the allocation and closed by the reset);</li>
 *   <li>{@code large}: {@link LargeObjectAllocator#allocate} + free, served from a free mapping once
 *       warm (includes closing the block's shared arena);</li>
 *   <li>peers: {@code malloc} (malloc + free through plain FFM downcalls), {@code jdk-arena}
 *       ({@code Arena.ofConfined()}, {@code allocate}, {@code close}; zeroes the memory),
 *       {@code direct-buffer} ({@code ByteBuffer.allocateDirect}; zeroes, and is freed by the GC later, so
 *       its cost is partly elsewhere).</li>
 * </ul>
 *
 * <p>The harness: the cases of one size (an allocator and its peers) are warmed up (sharing
 * {@code warmup}), then timed interleaved over {@code iterations} rounds of about {@code iteration} per
 * case (whole batches of operations), so that noise from other processes hits them alike; the figure
 * is each case's median nanoseconds per operation. Each case's loop is its own lambda, compiled for it.
 */
public final class AllocBenchmark {

  public static final List<Integer> SMALL_SIZES = Arrays.stream(SlabAllocator.sizeClasses()).boxed().toList();
  public static final List<Long> LARGE_SIZES = List.of(2L << 20, 16L << 20);
  public static final String CSV_HEADER = "allocator,size,ns_per_op";

  /** One result row. */
  public record Row(String allocator, long size, double nsPerOp) {
    public String csv() {
      return allocator + "," + size + "," + String.format(Locale.ROOT, "%.1f", nsPerOp);
    }
  }

  /** How long to run. */
  public record Settings(Duration warmup, int iterations, Duration iteration, List<Integer> smallSizes,
      List<Long> largeSizes) {
    public Settings {
      if (iterations < 1) throw new IllegalArgumentException("iterations must be at least 1");
      smallSizes = List.copyOf(smallSizes);
      largeSizes = List.copyOf(largeSizes);
      for (int s : smallSizes) {
        if (s < 1 || s > SlabAllocator.MAX_SIZE) {
          throw new IllegalArgumentException("small sizes are 1 to " + SlabAllocator.MAX_SIZE + ": " + s);
        }
      }
      for (long s : largeSizes) {
        if (s < 1 || s > (256L << 20)) throw new IllegalArgumentException("large sizes are 1 to 256 MiB: " + s);
      }
    }

    public static Settings standard() {
      return new Settings(Duration.ofMillis(1000), 11, Duration.ofMillis(60), SMALL_SIZES, LARGE_SIZES);
    }

    public static Settings quick() {
      return new Settings(Duration.ofMillis(50), 3, Duration.ofMillis(30), SMALL_SIZES, LARGE_SIZES);
    }
  }

  /** A timed loop: performs {@code ops} operations and returns something derived from them. */
  private interface Case {
    long run(int ops);
  }

  private AllocBenchmark() {}

  /** Runs every case and returns the rows in order, handing each to {@code onRow} as it is measured. */
  public static List<Row> run(Settings settings, Consumer<Row> onRow) {
    List<Row> rows = new ArrayList<>();
    Consumer<Row> out = r -> {
      rows.add(r);
      onRow.accept(r);
    };
    try (MemoryManager mm = MemoryManager.open(MemoryOptions.builder().budgetBytes(2L << 30)
        .forecastInterval(Duration.ZERO).build())) {
      for (int size : settings.smallSizes()) {
        measure(settings, out, List.of(
            new Named("slab", size, slab(mm.slab().local(), size)),
            new Named("slab-segment", size, slabSegment(mm.slab(), size)),
            new Named("malloc", size, malloc(size)),
            new Named("jdk-arena", size, jdkArena(size)),
            new Named("direct-buffer", size, directBuffer(size))));
      }
      try (TransactionArena bump = mm.arenas().acquire(TransactionProfile.LARGE);
          TransactionArena resets = mm.arenas().acquire(TransactionProfile.TINY)) {
        List<Named> cases = new ArrayList<>();
        for (int size : settings.smallSizes()) cases.add(new Named("arena", size, arena(bump, size)));
        cases.add(new Named("arena-reset", 64, arenaReset(resets)));
        measure(settings, out, cases);
      }
      for (long size : settings.largeSizes()) {
        measure(settings, out, List.of(
            new Named("large", size, large(mm.largeObjects(), size)),
            new Named("malloc", size, malloc(size)),
            new Named("jdk-arena", size, jdkArena(size)),
            new Named("direct-buffer", size, directBuffer(size))));
      }
    }
    return rows;
  }

  private record Named(String name, long size, Case c) {}

  /**
   * Warms up every case of a group, then times them interleaved — iteration i of each case before
   * iteration i+1 of any — so that noise from other processes falls on all of them alike; reports each
   * case's median.
   */
  private static void measure(Settings s, Consumer<Row> out, List<Named> group) {
    long sink = 0;
    long iterNanos = s.iteration().toNanos();
    int[] batch = new int[group.size()];
    for (int k = 0; k < group.size(); k++) {
      // Warm-up, also sizing the batch to about a tenth of an iteration.
      Case c = group.get(k).c();
      int b = 1;
      long warmEnd = System.nanoTime() + s.warmup().toNanos() / group.size();
      while (System.nanoTime() < warmEnd) {
        long t0 = System.nanoTime();
        sink += c.run(b);
        if (System.nanoTime() - t0 < iterNanos / 10 && b < (1 << 24)) b *= 2;
      }
      batch[k] = b;
    }
    double[][] nsPerOp = new double[group.size()][s.iterations()];
    for (int i = 0; i < s.iterations(); i++) {
      for (int k = 0; k < group.size(); k++) {
        Case c = group.get(k).c();
        long ops = 0;
        long t0 = System.nanoTime();
        long t;
        do {
          sink += c.run(batch[k]);
          ops += batch[k];
          t = System.nanoTime();
        } while (t - t0 < iterNanos);
        nsPerOp[k][i] = (double) (t - t0) / ops;
      }
    }
    if (sink == 42) System.getLogger(AllocBenchmark.class.getName()).log(System.Logger.Level.TRACE, "sink");
    for (int k = 0; k < group.size(); k++) {
      Arrays.sort(nsPerOp[k]);
      out.accept(new Row(group.get(k).name(), group.get(k).size(), nsPerOp[k][s.iterations() / 2]));
    }
  }

  // Each case is its own class, so each loop is compiled for one allocator only.

  private static Case slab(SlabAllocator.Local slab, int size) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) {
        long a = slab.allocate(size);
        x += a;
        slab.free(a);
      }
      return x;
    };
  }

  private static Case slabSegment(SlabAllocator slab, int size) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) {
        MemorySegment s = slab.allocate(size);
        x += s.address();
        slab.free(s);
      }
      return x;
    };
  }

  private static Case malloc(long size) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) {
        long p = LibcMalloc.malloc(size);
        x += p;
        LibcMalloc.free(p);
      }
      return x;
    };
  }

  private static Case jdkArena(long size) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) {
        try (Arena a = Arena.ofConfined()) {
          x += a.allocate(size).address();
        }
      }
      return x;
    };
  }

  private static Case directBuffer(long size) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) x += ByteBuffer.allocateDirect((int) size).capacity();
      return x;
    };
  }

  private static Case arena(TransactionArena arena, int size) {
    int perGeneration = Math.max(1, (1 << 20) / size);
    int[] left = {perGeneration};
    return ops -> {
      long x = 0;
      int l = left[0];
      for (int i = 0; i < ops; i++) {
        x += arena.allocate(size).address();
        if (--l == 0) {
          arena.reset();
          l = perGeneration;
        }
      }
      left[0] = l;
      return x;
    };
  }

  private static Case arenaReset(TransactionArena arena) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) {
        x += arena.allocate(64).address();
        arena.reset();
      }
      return x;
    };
  }

  private static Case large(LargeObjectAllocator large, long size) {
    return ops -> {
      long x = 0;
      for (int i = 0; i < ops; i++) {
        MemorySegment s = large.allocate(size);
        x += s.address();
        large.free(s);
      }
      return x;
    };
  }
}
