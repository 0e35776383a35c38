package org.rustydb.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import java.util.concurrent.Callable;
import org.rustydb.CorruptionException;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.DiskStats;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageChecksum;
import org.rustydb.page.PageFileVerifier;
import org.rustydb.page.PageType;
import org.rustydb.page.SlottedPage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rustydb demo [DIR]}: the Quick start's first command. Creates a data directory, writes thousands
 * of slotted pages into several page files through the disk manager, closes it, reopens it, reads every
 * page back and compares it with what was written, runs the verifier, and says what it did and where.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Write, read back and verify thousands of pages; then load, query and reopen a B+tree table.",
      "Creates a data directory (DIR, or a new ./rustydb-demo-<timestamp>), writes thousands of slotted"
          + " pages into four page files under base/ through the disk manager, reopens it, reads every page"
          + " back, compares contents and checksums, and verifies the directory. Then opens it as a database,"
          + " creates the B+tree table 'users', loads --rows rows, runs --ops mixed operations (gets, puts,"
          + " deletes, short scans) checked against an in-memory model, reopens it and checks every row, and"
          + " prints the buffer pool, WAL and I/O statistics."
    })
public final class DemoCommand implements Callable<Integer> {

  /** The demo's tables and indexes: file name and the page type its pages get. */
  private static final List<Object[]> FILES = List.of(
      new Object[] {"table_1.dat", PageType.HEAP},
      new Object[] {"table_1_idx_btree.dat", PageType.BTREE_LEAF},
      new Object[] {"table_2.dat", PageType.HEAP},
      new Object[] {"table_2_idx_hash.dat", PageType.HASH_BUCKET});

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
      description = "where to create the data directory (must not exist, or be empty)")
  Path dir;

  @Option(names = "--pages", paramLabel = "N", description = "pages to write in all (default: ${DEFAULT-VALUE})")
  int pages = 10_000;

  @Option(names = "--rows", paramLabel = "N",
      description = "rows to load into the B+tree table (default: ${DEFAULT-VALUE}; 0 skips the B+tree part)")
  int rows = 20_000;

  @Option(names = "--ops", paramLabel = "N", description = "operations of the mixed workload (default: ${DEFAULT-VALUE})")
  int ops = 20_000;

  @Override
  public Integer call() {
    if (pages < FILES.size() || pages > 10_000_000) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--pages must be 4..10000000: " + pages);
    }
    if (rows < 0 || rows > 10_000_000 || ops < 0 || ops > 100_000_000) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rows must be 0..10000000 and --ops 0..100000000");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path root = dir != null ? dir : newDemoDir();
    int perFile = pages / FILES.size();
    long[][] ids = new long[FILES.size()][perFile];
    long tuples = 0;

    // 1. create and write
    long t0 = System.nanoTime();
    Path real;
    boolean direct;
    try (DataDirectory d = DataDirectory.create(root); DiskManager dm = DiskManager.open(d)) {
      real = d.root();
      direct = dm.directIo();
      out.printf("rustydb demo: created data directory %s%n", real);
      out.printf("  I/O: %s%n", direct ? "direct (O_DIRECT, bypassing the OS page cache)" : "buffered (O_DIRECT not available here)");
      int[] fileIds = new int[FILES.size()];
      for (int f = 0; f < FILES.size(); f++) fileIds[f] = dm.createFile((String) FILES.get(f)[0]);
      // One writer thread per file: the disk manager is thread-safe, and with O_DIRECT the device
      // overlaps the four streams' writes.
      LongAdder tupleCount = new LongAdder();
      inParallel(FILES.size(), f -> {
        MemorySegment seg = Arena.ofAuto().allocate(4096, 4096);
        SlottedPage page = new SlottedPage();
        PageType type = (PageType) FILES.get(f)[1];
        for (int i = 0; i < perFile; i++) {
          long id = dm.allocatePage(fileIds[f]);
          ids[f][i] = id;
          page.wrap(seg).format(id, type);
          page.setLsn(i + 1L);
          for (int k = 0; ; k++) {
            if (page.insert(tuple(id, k)) == SlottedPage.PAGE_FULL) break;
            tupleCount.increment();
          }
          PageChecksum.stamp(seg);
          dm.writePage(id, seg);
        }
      });
      tuples = tupleCount.sum();
      dm.syncAll();
    }
    double writeSecs = (System.nanoTime() - t0) / 1e9;
    double mib = (double) perFile * FILES.size() * 4096 / (1 << 20);
    out.printf("  wrote   %,d pages (%,d tuples, %.1f MiB) into %d files, synced: %.2f s, %.0f MiB/s%n",
        perFile * FILES.size(), tuples, mib, FILES.size(), writeSecs, mib / writeSecs);

    // 2. reopen, read back and compare
    long t1 = System.nanoTime();
    DiskStats stats;
    PageFileVerifier.Report report;
    try (DataDirectory d = DataDirectory.open(root); DiskManager dm = DiskManager.open(d)) {
      inParallel(FILES.size(), f -> {
        MemorySegment seg = Arena.ofAuto().allocate(4096, 4096);
        SlottedPage page = new SlottedPage();
        for (long id : ids[f]) {
          dm.readPage(id, seg); // the disk manager checks the CRC32C as it reads
          String problem = contentProblem(page.wrap(seg), id);
          if (problem != null) {
            throw new CorruptionException(d.base().resolve((String) FILES.get(f)[0]), PageId.pageNo(id), problem);
          }
        }
      });
      double readSecs = (System.nanoTime() - t1) / 1e9;
      stats = dm.stats();
      out.printf("  read    %,d pages back after reopening, every tuple and checksum matches: %.2f s, %.0f MiB/s%n",
          perFile * FILES.size(), readSecs, mib / readSecs);
      out.printf("          read-ahead: %,d pages prefetched, %,d served from it%n",
          stats.prefetchIssued(), stats.prefetchHits());
      long t2 = System.nanoTime();
      report = PageFileVerifier.verify(d, dm);
      out.printf("  verify  %,d files, %,d pages: %s (%.2f s)%n", report.files(), report.pages(),
          report.ok() ? "no problems" : report.problems().size() + " problem(s)", (System.nanoTime() - t2) / 1e9);
      for (PageFileVerifier.Problem p : report.problems()) out.println("    " + p);
      out.println("  files:");
      for (DiskManager.PageFileInfo info : dm.files()) {
        out.printf("    %-40s %,7d pages  file id %d%n", real.relativize(info.path()), info.pageCount(), info.fileId());
      }
    }
    if (!report.ok()) return RustyDbCommand.EXIT_FAILURE;

    // 3. the public API on a B+tree table in the same directory
    if (rows > 0) BTreeDemo.run(root, rows, ops, out);

    out.printf("  total %.2f s. Look closer:%n", (System.nanoTime() - t0) / 1e9);
    if (rows > 0) {
      out.printf("    ./rustydb tables %s%n", root);
      out.printf("    ./rustydb scan %s %s --limit 5%n", root, BTreeDemo.TABLE);
      out.printf("    ./rustydb get %s %s %s%n", root, BTreeDemo.TABLE, new String(BTreeDemo.key(7), StandardCharsets.US_ASCII));
    } else {
      out.printf("    ./rustydb verify %s%n", root); // it does not know B+tree pages yet
    }
    out.printf("    ./rustydb inspect control %s%n", root);
    out.printf("    ./rustydb inspect page %s 1%n", root.resolve("base").resolve((String) FILES.get(0)[0]));
    return RustyDbCommand.EXIT_OK;
  }

  /** Tuple {@code k} of page {@code pageId}: readable text, 60 to 200 bytes, a function of both. */
  static byte[] tuple(long pageId, int k) {
    SplittableRandom r = new SplittableRandom(pageId * 1_000_003L + k);
    byte[] prefix = ("page " + PageId.toString(pageId) + " tuple " + k + ": ").getBytes(StandardCharsets.US_ASCII);
    byte[] b = Arrays.copyOf(prefix, Math.max(prefix.length, 60 + r.nextInt(141)));
    for (int i = prefix.length; i < b.length; i++) b[i] = (byte) ('a' + r.nextInt(26));
    return b;
  }

  /** Runs {@code body} for 0..n-1 on n threads; rethrows the first failure. */
  private static void inParallel(int n, IntConsumer body) {
    List<Thread> threads = new ArrayList<>();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      int task = i;
      threads.add(Thread.ofPlatform().name("rustydb-demo-" + i).start(() -> {
        try {
          body.accept(task);
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }));
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    if (!failures.isEmpty()) throw failures.getFirst();
  }

  /** Whether the page holds exactly the tuples {@link #tuple} gives, in slot order; else what differs. */
  static String contentProblem(SlottedPage page, long pageId) {
    if (page.pageId() != pageId) return "page id field says " + PageId.toString(page.pageId());
    String problem = page.problem();
    if (problem != null) return problem;
    if (page.slotCount() == 0) return "no tuples";
    for (int k = 0; k < page.slotCount(); k++) {
      if (!Arrays.equals(page.read(k), tuple(pageId, k))) return "tuple " + k + " differs from what was written";
    }
    return null;
  }

  private static Path newDemoDir() {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path p = Path.of("rustydb-demo-" + stamp);
    for (int i = 2; Files.exists(p); i++) p = Path.of("rustydb-demo-" + stamp + "-" + i);
    return p;
  }
}
