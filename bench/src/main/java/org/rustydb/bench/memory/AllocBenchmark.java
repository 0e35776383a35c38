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
 *       a thread-local lookup per call and a {@code MemorySegment} per block;</li>
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
 * <p>The harness: each case is warmed up for {@code warmup}, then timed over {@code iterations}
 * iterations of about {@code iteration} each (whole batches of operations); the figure is the median of
 * the iterations' nanoseconds per operation. Each case's loop is its own method, so the JIT compiles it
 * for that case alone.
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
      return new Settings(Duration.ofMillis(300), 7, Duration.ofMillis(100), SMALL_SIZES, LARGE_SIZES);
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
        out.accept(measure(settings, "slab", size, slab(mm.slab().local(), size)));
        out.accept(measure(settings, "slab-segment", size, slabSegment(mm.slab(), size)));
        out.accept(measure(settings, "malloc", size, malloc(size)));
        out.accept(measure(settings, "jdk-arena", size, jdkArena(size)));
        out.accept(measure(settings, "direct-buffer", size, directBuffer(size)));
      }
      for (int size : settings.smallSizes()) {
        try (TransactionArena a = mm.arenas().acquire(TransactionProfile.LARGE)) {
          out.accept(measure(settings, "arena", size, arena(a, size)));
        }
      }
      try (TransactionArena a = mm.arenas().acquire(TransactionProfile.TINY)) {
        out.accept(measure(settings, "arena-reset", 64, arenaReset(a)));
      }
      for (long size : settings.largeSizes()) {
        out.accept(measure(settings, "large", size, large(mm.largeObjects(), size)));
        out.accept(measure(settings, "malloc", size, malloc(size)));
        out.accept(measure(settings, "jdk-arena", size, jdkArena(size)));
        out.accept(measure(settings, "direct-buffer", size, directBuffer(size)));
      }
    }
    return rows;
  }

  private static Row measure(Settings s, String name, long size, Case c) {
    long sink = 0;
    int batch = 64;
    // Warm-up, also sizing the batch to about a tenth of an iteration.
    long warmEnd = System.nanoTime() + s.warmup().toNanos();
    long iterNanos = s.iteration().toNanos();
    while (System.nanoTime() < warmEnd) {
      long t0 = System.nanoTime();
      sink += c.run(batch);
      long took = System.nanoTime() - t0;
      if (took < iterNanos / 10 && batch < (1 << 24)) batch *= 2;
    }
    double[] nsPerOp = new double[s.iterations()];
    for (int i = 0; i < nsPerOp.length; i++) {
      long ops = 0;
      long t0 = System.nanoTime();
      long t;
      do {
        sink += c.run(batch);
        ops += batch;
        t = System.nanoTime();
      } while (t - t0 < iterNanos);
      nsPerOp[i] = (double) (t - t0) / ops;
    }
    Arrays.sort(nsPerOp);
    if (sink == 42) System.getLogger(AllocBenchmark.class.getName()).log(System.Logger.Level.TRACE, "sink");
    return new Row(name, size, nsPerOp[nsPerOp.length / 2]);
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
