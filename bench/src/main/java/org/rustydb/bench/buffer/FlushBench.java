package org.rustydb.bench.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.buffer.LruReplacer;
import org.rustydb.buffer.FlusherOptions;
import org.rustydb.buffer.WriteCombiner;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.DiskOptions;
import org.rustydb.disk.PageId;

/**
 * Checkpoint flush ({@code BufferPool.flushAll}: write every dirty page, then fsync) over the real disk manager,
 * with the spec's write combining (distance 10, batches of 64: one write per contiguous run) next to the same
 * pool writing page by page (distance 1, batches of 1). Dirty sets: {@code random} (uniform over the file),
 * {@code clustered} (runs of 1..16 adjacent pages at random places), {@code sequential} (one stretch). Each run
 * dirties a fresh set (seeded by the run number, the same for both modes), then times flushAll.
 */
public final class FlushBench {

  public record Options(Path dir, int filePages, int dirtyPages, int runs, boolean direct, List<String> workloads) {
    public Options {
      if (filePages < 2) throw new IllegalArgumentException("--file-pages must be at least 2");
      if (dirtyPages < 1 || dirtyPages >= filePages) {
        throw new IllegalArgumentException("--dirty must be 1.." + (filePages - 1));
      }
      if (runs < 1) throw new IllegalArgumentException("--runs must be positive");
      for (String w : workloads) {
        if (!List.of("random", "clustered", "sequential").contains(w)) {
          throw new IllegalArgumentException("unknown workload " + w + " (random, clustered, sequential)");
        }
      }
    }
  }

  /** One figure: median over the runs of flushAll's throughput, and the write calls it made. */
  public record Row(String workload, String mode, long pages, long writeOps, double savedPercent, double mibPerSecond,
      boolean direct) {}

  private FlushBench() {}

  public static List<Row> run(Options o) {
    List<Row> rows = new ArrayList<>();
    try {
      Files.createDirectories(o.dir().getParent());
      try (DataDirectory dd = DataDirectory.create(o.dir());
           DiskManager dm = DiskManager.open(dd, DiskOptions.builder().directIo(o.direct()).build())) {
        int file = dm.createFile("flush.dat");
        for (int i = 1; i < o.filePages(); i++) dm.allocatePage(file);
        dm.syncAll();
        for (String w : o.workloads()) {
          for (boolean combined : new boolean[] {false, true}) {
            FlusherOptions fo = combined ? FlusherOptions.DEFAULTS
                : FlusherOptions.builder().combineDistance(1).maxBatch(1).build();
            double[] mibs = new double[o.runs()];
            long pages = 0;
            long ops = 0;
            for (int run = 0; run < o.runs(); run++) {
              long[] set = dirtySet(w, o, file, new SplittableRandom(1000L * run + w.hashCode()));
              pages = set.length;
              ops = 0;
              for (WriteCombiner.Batch b : WriteCombiner.group(set.clone(), fo.combineDistance(), fo.maxBatch())) ops += b.runs();
              try (BufferPool pool = new BufferPool(dm, BufferPoolOptions.builder().frames(set.length + 16)
                  .replacer(LruReplacer::new).prefetch(false).flusher(fo).build())) {
                for (long p : set) {
                  try (WriteGuard g = pool.write(p)) {
                    g.setLong(0, p);
                    g.setLong(64, run);
                  }
                }
                long t0 = System.nanoTime();
                pool.flushAll();
                long t1 = System.nanoTime();
                mibs[run] = set.length * 4096.0 / (1024 * 1024) / ((t1 - t0) / 1e9);
              }
            }
            Arrays.sort(mibs);
            rows.add(new Row(w, combined ? "combined" : "per-page", pages, ops, 100.0 * (pages - ops) / pages,
                mibs[mibs.length / 2], dm.directIo()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(o.dir());
    }
    return rows;
  }

  static long[] dirtySet(String workload, Options o, int file, SplittableRandom rnd) {
    int n = o.dirtyPages();
    long last = o.filePages() - 1; // pages 1..last (page 0 is the file header)
    java.util.TreeSet<Long> set = new java.util.TreeSet<>();
    switch (workload) {
      case "sequential" -> {
        long start = 1 + rnd.nextLong(last - n + 1);
        for (long i = 0; i < n; i++) set.add(start + i);
      }
      case "clustered" -> {
        while (set.size() < n) {
          long start = 1 + rnd.nextLong(last);
          int len = 1 + rnd.nextInt(16);
          for (long i = 0; i < len && start + i <= last && set.size() < n; i++) set.add(start + i);
        }
      }
      default -> {
        while (set.size() < n) set.add(1 + rnd.nextLong(last));
      }
    }
    return set.stream().mapToLong(no -> PageId.of(file, no)).toArray();
  }

  private static void deleteQuietly(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a temporary directory: best effort
    }
  }
}
