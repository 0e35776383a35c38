package org.rustydb.bench.disk;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.DiskOptions;
import org.rustydb.disk.PageCrc;
import org.rustydb.disk.PageId;

/**
 * Disk manager page reads and writes per second, one thread, 4 KiB pages of one 128 MiB page file, with
 * and without O_DIRECT. Sequential reads get the disk manager's read-ahead (8 pages after 3), as a
 * table scan would; random reads pick pages uniformly. Writes are not fsynced per page (the checkpointer
 * syncs) but are checksummed first, as the pool does; buffered writes land in the OS page cache and direct writes on the device. Every read checks
 * the page's CRC32C, as in production. One op = one page: MiB/s = ops/s / 256.
 *
 * <p>The file lives under {@code -Drustydb.bench.dir} (default: java.io.tmpdir); buffered reads of a
 * 128 MiB file are page-cache hits on any machine with memory to spare, which is the point of the
 * comparison: O_DIRECT pays the device on every miss and spares the double caching.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DiskManagerBenchmark {

  static final int PAGES = 32 * 1024; // 128 MiB

  @Param({"true", "false"})
  public boolean direct;

  private Path root;
  private DataDirectory dir;
  private DiskManager dm;
  private Arena arena;
  private MemorySegment page;
  private int fileId;
  private long next;
  private final SplittableRandom random = new SplittableRandom(42);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path base = Path.of(System.getProperty("rustydb.bench.dir", System.getProperty("java.io.tmpdir")));
    root = Files.createTempDirectory(base, "rustydb-diskbench-");
    Files.delete(root);
    dir = DataDirectory.create(root);
    // Fill the file with buffered I/O (fast), then reopen the way the benchmark asks for.
    arena = Arena.ofShared();
    page = arena.allocate(4096, 4096);
    try (DiskManager writer = DiskManager.open(dir, DiskOptions.builder().directIo(false).growthChunkPages(1024).build())) {
      int f = writer.createFile("bench.dat");
      for (int i = 0; i < PAGES; i++) {
        long id = writer.allocatePage(f);
        page.fill((byte) i);
        page.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, id);
        PageCrc.stamp(page);
        writer.writePage(id, page);
      }
      writer.syncAll();
    }
    dm = DiskManager.open(dir, DiskOptions.builder().directIo(direct).build());
    if (dm.directIo() != direct) throw new IllegalStateException("O_DIRECT is not available in " + base);
    fileId = dm.openFile("bench.dat");
    next = 1;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    dm.close();
    dir.close();
    arena.close();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private long sequentialPage() {
    long p = next++;
    if (next > PAGES) next = 1;
    return PageId.of(fileId, p);
  }

  private long randomPage() {
    return PageId.of(fileId, 1 + random.nextInt(PAGES));
  }

  @Benchmark
  public MemorySegment sequentialRead() {
    dm.readPage(sequentialPage(), page);
    return page;
  }

  @Benchmark
  public MemorySegment randomRead() {
    dm.readPage(randomPage(), page);
    return page;
  }

  @Benchmark
  public void sequentialWrite() {
    long id = sequentialPage();
    page.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, id);
    PageCrc.stamp(page);
    dm.writePage(id, page);
  }

  @Benchmark
  public void randomWrite() {
    long id = randomPage();
    page.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, id);
    PageCrc.stamp(page);
    dm.writePage(id, page);
  }
}
