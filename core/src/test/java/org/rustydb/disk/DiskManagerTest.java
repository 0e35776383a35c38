package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.ClosedException;
import org.rustydb.CorruptionException;
import org.rustydb.OperationFailedException;
import org.rustydb.testing.Seeds;

class DiskManagerTest {

  static final int PAGE = 4096;

  @TempDir Path tmp;
  Path root;
  DataDirectory dir;
  DiskManager dm;
  Arena arena;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("db");
    dir = DataDirectory.create(root);
    dm = DiskManager.open(dir);
    arena = Arena.ofShared();
  }

  @AfterEach
  void tearDown() {
    dm.close();
    dir.close();
    arena.close();
  }

  private void reopen() {
    reopen(DiskOptions.defaults());
  }

  private void reopen(DiskOptions options) {
    dm.close();
    dir.close();
    dir = DataDirectory.open(root);
    dm = DiskManager.open(dir, options);
  }

  /** A page whose bytes are a function of (pageId, version), with a valid checksum. */
  static void fill(MemorySegment page, long pageId, int version) {
    Random r = new Random(pageId * 31 + version);
    for (int i = 0; i < PAGE; i += 8) page.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
    page.set(Layouts.U64, 0, pageId);
    PageCrc.stamp(page);
  }

  static void assertPage(MemorySegment page, long pageId, int version) {
    MemorySegment expected = MemorySegment.ofArray(new byte[PAGE]);
    fill(expected, pageId, version);
    assertThat(page.asSlice(0, PAGE).mismatch(expected)).as("page %s v%d", PageId.toString(pageId), version).isEqualTo(-1);
  }

  @Test
  void filesGetIdsThatSurviveReopen() {
    int a = dm.createFile("table_1.dat");
    int b = dm.createFile("table_1_idx_btree.dat");
    assertThat(a).isEqualTo(1);
    assertThat(b).isEqualTo(2);
    assertThat(root.resolve("base/table_1.dat")).exists();
    reopen();
    assertThat(dm.openFile("table_1.dat")).isEqualTo(a);
    assertThat(dm.openFile("table_1_idx_btree.dat")).isEqualTo(b);
    assertThat(dm.createFile("table_2.dat")).isEqualTo(3);
    assertThat(dm.files()).extracting(DiskManager.PageFileInfo::name)
        .containsExactly("table_1.dat", "table_1_idx_btree.dat", "table_2.dat");
  }

  @Test
  void fileErrorsAreClear() {
    dm.createFile("t.dat");
    assertThatThrownBy(() -> dm.createFile("t.dat")).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> dm.openFile("nope.dat")).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("no page file nope.dat");
    assertThatThrownBy(() -> dm.createFile("../escape.dat")).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("bad file name");
    assertThatThrownBy(() -> dm.createFile("/etc/x")).isInstanceOf(OperationFailedException.class);
    assertThat(tmp.resolve("escape.dat")).doesNotExist();
    assertThatThrownBy(() -> dm.pageCount(99)).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("no open page file with id 99");
  }

  @Test
  void writeAndReadPagesThroughAlignedHeapAndUnalignedSegments() {
    int f = dm.createFile("t.dat");
    long p1 = dm.allocatePage(f);
    long p2 = dm.allocatePage(f);
    long p3 = dm.allocatePage(f);
    assertThat(PageId.pageNo(p1)).isEqualTo(1); // page 0 is the header
    MemorySegment aligned = arena.allocate(PAGE, PAGE);
    MemorySegment heap = MemorySegment.ofArray(new byte[PAGE]);
    MemorySegment unaligned = arena.allocate(PAGE + 8, PAGE).asSlice(3, PAGE);
    fill(aligned, p1, 0);
    dm.writePage(p1, aligned);
    fill(heap, p2, 0);
    dm.writePage(p2, heap);
    fill(unaligned, p3, 0);
    dm.writePage(p3, unaligned);
    for (MemorySegment dst : List.of(aligned, heap, unaligned)) {
      for (long p : List.of(p1, p2, p3)) {
        dst.fill((byte) 0);
        dm.readPage(p, dst);
        assertPage(dst, p, 0);
      }
    }
  }

  @Test
  void badBuffersAndPageNumbersAreRefused() {
    int f = dm.createFile("t.dat");
    long p = dm.allocatePage(f);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    assertThatThrownBy(() -> dm.readPage(p, arena.allocate(100))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 4096");
    assertThatThrownBy(() -> dm.readPage(p, page.asReadOnly())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dm.writePage(PageId.of(f, 0), page)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file header");
    assertThatThrownBy(() -> dm.writePage(PageId.of(f, 500), page)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not allocated");
    assertThatThrownBy(() -> dm.readPage(PageId.of(f, 500), page)).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("past the end");
    assertThatThrownBy(() -> dm.readPage(0, page)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dm.freePage(PageId.of(f, 0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dm.freePage(PageId.of(f, 999))).isInstanceOf(IllegalArgumentException.class);
    dm.freePage(p);
    assertThatThrownBy(() -> dm.freePage(p)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already free");
  }

  @Test
  void freedPagesAreReusedLastFreedFirstAndTheListSurvivesReopen() {
    int f = dm.createFile("t.dat");
    List<Long> pages = new ArrayList<>();
    for (int i = 0; i < 10; i++) pages.add(dm.allocatePage(f));
    dm.freePage(pages.get(2));
    dm.freePage(pages.get(7));
    dm.freePage(pages.get(4));
    assertThat(dm.freeList(f).pages()).containsExactly(5L, 8L, 3L);
    assertThat(dm.freeList(f).problem()).isNull();
    dm.sync(f);
    reopen();
    f = dm.openFile("t.dat");
    assertThat(dm.pageCount(f)).isEqualTo(11);
    assertThat(dm.files().getFirst().freePages()).isEqualTo(3);
    assertThat(dm.allocatePage(f)).isEqualTo(pages.get(4));
    assertThat(dm.allocatePage(f)).isEqualTo(pages.get(7));
    assertThat(dm.allocatePage(f)).isEqualTo(pages.get(2));
    assertThat(PageId.pageNo(dm.allocatePage(f))).isEqualTo(11);
    assertThat(dm.freeList(f).pages()).isEmpty();
  }

  @Test
  void filesGrowInChunks() throws IOException {
    dm.close();
    dm = DiskManager.open(dir, DiskOptions.builder().growthChunkPages(16).build());
    int f = dm.createFile("t.dat");
    Path path = dm.path(f);
    assertThat(Files.size(path)).isEqualTo(16L * PAGE);
    for (int i = 0; i < 15; i++) dm.allocatePage(f);
    assertThat(Files.size(path)).isEqualTo(16L * PAGE);
    dm.allocatePage(f);
    assertThat(Files.size(path)).isEqualTo(32L * PAGE);
    assertThat(dm.pageCount(f)).isEqualTo(17);
  }

  /** A file grows by an eighth of its size once that is more than the chunk, and by at most 32 MiB. */
  @Test
  void largeFilesGrowByAnEighthOfTheirSize() {
    assertThat(DiskManager.growth(16, 64)).isEqualTo(64);
    assertThat(DiskManager.growth(512, 64)).isEqualTo(64);
    assertThat(DiskManager.growth(8000, 64)).isEqualTo(1000);
    assertThat(DiskManager.growth(1L << 20, 64)).isEqualTo(DiskManager.MAX_GROWTH_PAGES);
    assertThat(DiskManager.growth(1L << 20, 1 << 16)).isEqualTo(1 << 16);

    int f = dm.createFile("t.dat");
    Path path = dm.path(f);
    long grows = 0;
    long size = -1;
    for (int i = 0; i < 20_000; i++) {
      dm.allocatePage(f);
      long now = fileSize(path);
      if (now != size) grows++;
      size = now;
    }
    // 64-page chunks up to 512 pages, then an eighth (x1.125 each): 8 + 31 growths, against 312 in fixed chunks.
    assertThat(grows).isBetween(35L, 45L);
    assertThat(size / PAGE).isGreaterThanOrEqualTo(20_001L).isLessThan(20_001L + 20_001L / 8 + 64);
  }

  private static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Growth writes one page per chunk (the rest is a hole) and the pages of the hole read as zeros. */
  @Test
  void growthWritesOnlyTheChunksLastPage() throws IOException {
    dm.close();
    AtomicLong written = new AtomicLong();
    PageFileChannel.Opener counting = (path, options) ->
        new FsyncFailureTest.FailingForce(FileChannel.open(path, options),
            new AtomicBoolean()) {
          @Override
          public int write(ByteBuffer src, long position) throws IOException {
            int n = super.write(src, position);
            written.addAndGet(n);
            return n;
          }
        };
    dm = DiskManager.open(dir, DiskOptions.builder().growthChunkPages(64).build(), counting);
    int f = dm.createFile("t.dat");
    for (int i = 0; i < 63; i++) dm.allocatePage(f); // the first chunk, header page included
    written.set(0);
    long p = dm.allocatePage(f);
    assertThat(Files.size(dm.path(f))).isEqualTo(128L * PAGE);
    assertThat(written.get()).as("bytes written to grow by 64 pages").isEqualTo(PAGE);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    page.fill((byte) 7);
    dm.readPage(p, page);
    assertThat(page.mismatch(arena.allocate(PAGE, PAGE))).as("a page of the hole reads as zeros").isEqualTo(-1);
  }

  @Test
  void tenThousandPagesSurviveCloseAndReopen() {
    int a = dm.createFile("table_1.dat");
    int b = dm.createFile("table_2.dat");
    MemorySegment page = arena.allocate(PAGE, PAGE);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      long p = dm.allocatePage(i % 2 == 0 ? a : b);
      fill(page, p, 1);
      dm.writePage(p, page);
      ids.add(p);
    }
    reopen();
    assertThat(dm.pageCount(dm.openFile("table_1.dat"))).isEqualTo(5001);
    assertThat(dm.pageCount(dm.openFile("table_2.dat"))).isEqualTo(5001);
    for (long p : ids) {
      dm.readPage(p, page);
      assertPage(page, p, 1);
    }
    DiskStats s = dm.stats();
    assertThat(s.pagesRead() + s.prefetchHits()).isGreaterThanOrEqualTo(10_000);
  }

  /**
   * readPages: a run of pages in one read (aligned buffer) or page by page (heap buffer), each checked; a
   * run past the file's end and a corrupt page in a run are clear errors.
   */
  @Test
  void readPagesReadsARunCheckedInOneRead() throws IOException {
    int f = dm.createFile("t.dat");
    long[] ids = new long[20];
    MemorySegment page = arena.allocate(PAGE, PAGE);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = dm.allocatePage(f);
      fill(page, ids[i], 3);
      dm.writePage(ids[i], page);
    }
    reopen();
    MemorySegment run = arena.allocate(20L * PAGE, PAGE);
    long before = dm.stats().pagesRead();
    dm.readPages(ids[2], 16, run);
    assertThat(dm.stats().pagesRead() - before).isEqualTo(16);
    for (int i = 0; i < 16; i++) assertPage(run.asSlice((long) i * PAGE, PAGE), ids[2 + i], 3);
    MemorySegment heap = MemorySegment.ofArray(new byte[3 * PAGE]);
    dm.readPages(ids[17], 3, heap); // not aligned for O_DIRECT: page by page
    for (int i = 0; i < 3; i++) assertPage(heap.asSlice((long) i * PAGE, PAGE), ids[17 + i], 3);
    assertThatThrownBy(() -> dm.readPages(ids[18], 5, run)).isInstanceOf(OperationFailedException.class)
        .hasMessageContaining("not all allocated");
    flipByte(root.resolve("base/t.dat"), PageId.pageNo(ids[5]) * PAGE + 1000);
    assertThatThrownBy(() -> dm.readPages(ids[0], 10, run)).isInstanceOf(CorruptionException.class)
        .hasMessageContaining("t.dat: page " + PageId.pageNo(ids[5]) + ": checksum mismatch");
  }

  @Test
  void aFlippedByteIsCaughtOnRead() throws IOException {
    int f = dm.createFile("t.dat");
    long p = dm.allocatePage(f);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    fill(page, p, 0);
    dm.writePage(p, page);
    reopen();
    flipByte(root.resolve("base/t.dat"), PageId.pageNo(p) * PAGE + 1000);
    assertThatThrownBy(() -> dm.readPage(p, page))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("t.dat: page 1: checksum mismatch");
    reopen(DiskOptions.builder().verifyChecksums(false).build());
    dm.readPage(p, page); // the caller asked not to check
    assertThat(PageCrc.matches(page)).isFalse();
  }

  @Test
  void neverWrittenPagesReadAsZeros() {
    int f = dm.createFile("t.dat");
    long p = dm.allocatePage(f);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    page.fill((byte) 1);
    dm.readPage(p, page);
    assertThat(PageCrc.isAllZero(page)).isTrue();
  }

  @Test
  void aTruncatedFileIsSetAsideWithAClearError() throws IOException {
    int f = dm.createFile("t.dat");
    dm.createFile("ok.dat");
    MemorySegment page = arena.allocate(PAGE, PAGE);
    for (int i = 0; i < 100; i++) {
      long p = dm.allocatePage(f);
      fill(page, p, 0);
      dm.writePage(p, page);
    }
    dm.sync(f);
    dm.close();
    try (RandomAccessFile raf = new RandomAccessFile(root.resolve("base/t.dat").toFile(), "rw")) {
      raf.setLength(50L * PAGE + 100);
    }
    dm = DiskManager.open(dir);
    assertThat(dm.damagedFiles()).containsOnlyKeys("t.dat");
    assertThat(dm.damagedFiles().get("t.dat")).contains("truncated").contains("101 pages");
    assertThatThrownBy(() -> dm.openFile("t.dat"))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("t.dat: truncated");
    assertThat(dm.openFile("ok.dat")).isEqualTo(2);
    assertThatThrownBy(() -> dm.createFile("t.dat")).isInstanceOf(OperationFailedException.class);
    assertThat(dm.createFile("new.dat")).as("no id clash with the damaged file").isEqualTo(3);
  }

  @Test
  void aFileTruncatedBelowItsHeaderOrWithAGarbageHeaderIsSetAside() throws IOException {
    dm.createFile("a.dat");
    dm.createFile("b.dat");
    dm.close();
    Files.write(root.resolve("base/a.dat"), new byte[100]);
    flipByte(root.resolve("base/b.dat"), 60);
    Files.createDirectory(root.resolve("base/lost+found"));
    dm = DiskManager.open(dir);
    assertThat(dm.damagedFiles().get("a.dat")).contains("too short for the header");
    assertThat(dm.damagedFiles().get("b.dat")).contains("header checksum mismatch");
    assertThat(dm.damagedFiles().get("lost+found")).contains("not a page file");
    assertThat(dm.files()).isEmpty();
  }

  @Test
  void aCopiedFileWithADuplicateIdIsSetAside() throws IOException {
    dm.createFile("a.dat");
    dm.close();
    Files.copy(root.resolve("base/a.dat"), root.resolve("base/b.dat"));
    dm = DiskManager.open(dir);
    assertThat(dm.openFile("a.dat")).isEqualTo(1);
    assertThat(dm.damagedFiles().get("b.dat")).contains("file id 1 is also used by a.dat");
  }

  @Test
  void aFreeListBrokenByACrashIsDroppedNotTrusted() throws IOException {
    int f = dm.createFile("t.dat");
    long p1 = dm.allocatePage(f);
    dm.allocatePage(f);
    dm.freePage(p1);
    dm.sync(f); // header durable: free head = p1
    long again = dm.allocatePage(f);
    assertThat(again).isEqualTo(p1);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    fill(page, p1, 0);
    dm.writePage(p1, page); // p1 now in use on disk; the header still says it is free
    dm.close();             // simulate a crash: the header on disk says head = p1
    // reopen with the stale header (close synced it, so write it back as the crash left it)
    dir.close();
    dir = DataDirectory.open(root);
    dm = DiskManager.open(dir);
    int fid = dm.openFile("t.dat");
    assertThat(dm.freeList(fid).pages()).isEmpty();
    // now damage the header the way a crash would: free head pointing at the page in use
    dm.close();
    rewriteHeader(root.resolve("base/t.dat"), PageId.pageNo(p1), 1);
    dm = DiskManager.open(dir);
    fid = dm.openFile("t.dat");
    assertThat(dm.freeList(fid).problem()).isNull();
    assertThat(dm.freeList(fid).lostToCrash()).isEqualTo(1);
    long fresh = dm.allocatePage(fid);
    assertThat(fresh).as("never hands out the page in use").isNotEqualTo(p1);
    assertThat(PageId.pageNo(fresh)).isEqualTo(3);
    dm.readPage(p1, page);
    assertPage(page, p1, 0);
  }

  @Test
  void dropFileDeletesItAndItsId() {
    int f = dm.createFile("t.dat");
    dm.allocatePage(f);
    dm.dropFile(f);
    assertThat(root.resolve("base/t.dat")).doesNotExist();
    assertThatThrownBy(() -> dm.allocatePage(f)).isInstanceOf(OperationFailedException.class);
    assertThat(dm.createFile("t.dat")).isEqualTo(2);
  }

  @Test
  void tempFilesLiveInTempAreNeverSyncedAndVanishOnClose() {
    int t = dm.createTempFile("sort_1.tmp");
    assertThat(root.resolve("temp/sort_1.tmp")).exists();
    long p = dm.allocatePage(t);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    fill(page, p, 0);
    dm.writePage(p, page);
    long syncsBefore = dm.stats().syncs();
    dm.sync(t);
    assertThat(dm.stats().syncs()).isEqualTo(syncsBefore);
    dm.readPage(p, page);
    assertPage(page, p, 0);
    reopen();
    assertThat(root.resolve("temp/sort_1.tmp")).doesNotExist();
    assertThat(dm.findFile("sort_1.tmp")).isEmpty();
  }

  @Test
  void syncForcesOnlyWhenThereIsSomethingToForce() {
    int f = dm.createFile("t.dat");
    dm.sync(f);
    long s0 = dm.stats().syncs();
    dm.sync(f);
    assertThat(dm.stats().syncs()).isEqualTo(s0);
    long p = dm.allocatePage(f);
    MemorySegment page = arena.allocate(PAGE, PAGE);
    fill(page, p, 0);
    dm.writePage(p, page);
    dm.sync(f);
    assertThat(dm.stats().syncs()).isGreaterThan(s0);
    dm.syncAll();
  }

  @Test
  void useAfterCloseThrowsClosed() {
    int f = dm.createFile("t.dat");
    long p = dm.allocatePage(f);
    dm.close();
    dm.close();
    MemorySegment page = arena.allocate(PAGE, PAGE);
    assertThatThrownBy(() -> dm.readPage(p, page)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> dm.writePage(p, page)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> dm.allocatePage(f)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> dm.createFile("x.dat")).isInstanceOf(ClosedException.class);
    dm = DiskManager.open(dir);
  }

  @Test
  void concurrentAllocateWriteFreeAndReadAgreeWithAModel() throws Exception {
    long seed = Seeds.of("DiskManagerTest.concurrent", "rustydb.seed");
    int files = 3;
    int threads = 4;
    int[] ids = new int[files];
    for (int i = 0; i < files; i++) ids[i] = dm.createFile("t" + i + ".dat");
    Map<Long, Integer> model = new ConcurrentHashMap<>(); // pageId -> version written last
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long threadSeed = seed + t;
      futures.add(pool.submit(() -> {
        Random r = new Random(threadSeed);
        List<Long> mine = new ArrayList<>();
        MemorySegment page = Arena.ofAuto().allocate(PAGE, PAGE);
        start.await();
        for (int op = 0; op < 1500; op++) {
          int what = r.nextInt(10);
          if (mine.isEmpty() || what < 3) {
            long p = dm.allocatePage(ids[r.nextInt(files)]);
            assertThat(model.putIfAbsent(p, -1)).as("page handed out twice").isNull();
            mine.add(p);
          } else if (what < 6) {
            long p = mine.get(r.nextInt(mine.size()));
            int v = r.nextInt(1000);
            fill(page, p, v);
            dm.writePage(p, page);
            model.put(p, v);
          } else if (what < 7) {
            long p = mine.remove(r.nextInt(mine.size()));
            model.remove(p);
            dm.freePage(p);
          } else {
            long p = mine.get(r.nextInt(mine.size()));
            dm.readPage(p, page);
            int v = model.get(p);
            if (v >= 0) assertPage(page, p, v);
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> fu : futures) fu.get();
    pool.shutdown();
    Set<Long> free = new HashSet<>();
    for (int id : ids) {
      DiskManager.FreeList fl = dm.freeList(id);
      assertThat(fl.problem()).isNull();
      for (long pn : fl.pages()) free.add(PageId.of(id, pn));
    }
    assertThat(free).doesNotContainAnyElementsOf(model.keySet());
    Map<Long, Integer> snapshot = new HashMap<>(model);
    reopen();
    MemorySegment page = arena.allocate(PAGE, PAGE);
    for (var e : snapshot.entrySet()) {
      if (e.getValue() < 0) continue;
      dm.readPage(e.getKey(), page);
      assertPage(page, e.getKey(), e.getValue());
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x40);
    }
  }

  /** Rewrites a file's header with another free-list head and count, as a crash could leave it. */
  static void rewriteHeader(Path file, long freeHead, long freeCount) throws IOException {
    byte[] bytes = new byte[PAGE];
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.readFully(bytes);
      MemorySegment page = MemorySegment.ofArray(bytes);
      var h = PageFileHeaderLayout.decode(page);
      PageFileHeaderLayout.encode(new PageFileHeaderLayout.Header(h.fileId(), h.kind(), h.pageCount(),
          freeHead, freeCount, h.createdMillis()), page);
      raf.seek(0);
      raf.write(bytes);
    }
  }
}
