package org.rustydb.disk;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.rustydb.ClosedException;
import org.rustydb.CorruptionException;
import org.rustydb.DatabaseFailedException;
import org.rustydb.OperationFailedException;
import org.rustydb.io.MappedFile;

/**
 * The disk manager: page files under a {@link DataDirectory}, one per table or index, with pages
 * addressed by {@link PageId}. It moves whole 4 KiB pages and does not look inside them, except for the
 * checksum every page carries at bytes 16..19 ({@link PageCrc}), which it verifies on read.
 *
 * <h2>Files</h2>
 * Page files live in {@code base/} ({@link FileKind#DATA}) or {@code temp/} ({@link FileKind#TEMP}).
 * Page 0 of each is this package's header page ({@link PageFileHeaderLayout}): it holds the file id
 * (assigned at creation, one more than the highest in use, and kept across reopens), the page count and
 * the free list's head. Opening the disk manager reads every header in {@code base/}; a file whose header
 * is damaged, truncated or duplicates another file's id is set aside ({@link #damagedFiles()}) and
 * {@link #openFile} on it throws a {@link CorruptionException}, so one bad file does not keep the rest
 * of the database closed.
 *
 * <h2>Allocation</h2>
 * {@link #allocatePage} reuses the head of the file's free list (a chain through the free pages,
 * {@link FreePageLayout}) or takes the page after the high-water mark, growing the file by
 * {@link DiskOptions#growthChunkPages()} zeroed pages, or an eighth of its size, when needed (a hole and a
 * written last page; see {@code grow}). The header is written only by
 * {@link #sync}: first the file is forced (so the free pages and grown chunks the header points to are
 * durable), then the header is written and forced again. A crash therefore leaves the header as of the
 * last sync; allocations and frees since then are forgotten (the write-ahead log must log them). A free
 * list found broken by such a crash (its head is a page reused since) is dropped with a warning: its pages
 * stay unused rather than risk handing out a page in use.
 *
 * <h2>Direct I/O</h2>
 * With {@link DiskOptions#directIo()} the manager probes O_DIRECT once in {@code temp/} at open and uses
 * it for every file if it works, else logs one warning and uses buffered I/O. Direct I/O needs 4096-aligned
 * native buffers: a caller's segment that is not (a heap segment, or an unaligned slice) is copied through a
 * per-thread aligned bounce buffer, so any segment of at least 4096 bytes works, aligned ones without a copy.
 * Without it, pages are read by copying them from a read-only memory mapping of the file
 * ({@link DiskOptions#mappedReads()}, {@link MappedFile}): a page in the OS page cache costs a copy, not a
 * system call. Only pages below the file's length are copied so; the rest, and every write, go through
 * {@link PageFileChannel} as before, and the checksum is verified either way.
 *
 * <h2>Read-ahead</h2>
 * After {@link DiskOptions#sequentialThreshold()} reads of consecutive pages of a file, the manager reads
 * the next {@link DiskOptions#prefetchPages()} pages in one I/O into a small {@link ReadAheadCache}; reads
 * of those pages are then served from it. The prefetch is synchronous (done by the reading thread right
 * after its own read); the buffer pool's asynchronous prefetcher will sit above this one.
 *
 * <h2>Durability and failure</h2>
 * {@link #sync} fsyncs a data file (the checkpointer calls it); temp files are never synced. A failed fsync
 * is not retried as if the data were safe: the manager turns read-only and every later write or sync throws
 * the {@link DatabaseFailedException} that says why. Reads of the file whose fsync failed throw it too: the
 * kernel may have dropped the writes that sync was to make durable, and reading their old bytes back would
 * hand out data that was overwritten (the buffer pool's copies stay right; only misses come here). An interrupted thread's I/O fails for that thread
 * only ({@link PageFileChannel} reopens the channel an interrupt closed).
 *
 * <p>Thread-safe. All raw I/O goes through {@link PageFileChannel}.
 */
public final class DiskManager implements PageFileStore {

  private static final System.Logger LOG = System.getLogger(DiskManager.class.getName());
  private static final int PAGE = PAGE_SIZE;

  private final DataDirectory dir;
  private final DiskOptions options;
  private final PageFileChannel.Opener opener;
  private final org.rustydb.io.IoEngine engine; // null: FileChannel I/O
  private final boolean direct;
  private final Map<Integer, PageFile> byId = new ConcurrentHashMap<>();
  private final Map<String, PageFile> byName = new ConcurrentHashMap<>();
  private final Map<String, String> damaged = new ConcurrentHashMap<>();
  private final ReadAheadCache readAhead;
  private final MemorySegment zeros; // one page, aligned for O_DIRECT
  private final ThreadLocal<MemorySegment> bounce;
  private final ThreadLocal<MemorySegment> readAheadBuffer;
  private final ThreadLocal<MemorySegment> hintBuffer; // for readAhead(): only its callers pay for one
  private int maxFileId;
  private volatile boolean closed;
  private volatile DatabaseFailedException failure;

  private final LongAdder pagesRead = new LongAdder();
  private final LongAdder pagesWritten = new LongAdder();
  private final LongAdder syncs = new LongAdder();
  private final LongAdder mappedReads = new LongAdder();

  private DiskManager(DataDirectory dir, DiskOptions options, PageFileChannel.Opener opener,
      org.rustydb.io.IoEngine engine) {
    this.dir = dir;
    this.options = options;
    this.opener = opener;
    this.engine = engine;
    Arena arena = Arena.ofAuto();
    this.zeros = arena.allocate(PAGE, PAGE); // the last page of a growth chunk
    this.bounce = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(PAGE, PAGE));
    long readAheadBytes = (long) Math.max(1, options.prefetchPages()) * PAGE;
    this.readAheadBuffer = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(readAheadBytes, PAGE));
    this.hintBuffer = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate((long) hintPages() * PAGE, PAGE));
    this.readAhead = new ReadAheadCache(options.prefetchPages() == 0 ? 0 : options.readAheadCachePages());
    boolean useDirect = false;
    if (options.directIo()) {
      String why = PageFileChannel.probeDirect(dir.temp(), opener);
      if (why == null) {
        useDirect = true;
      } else {
        LOG.log(System.Logger.Level.WARNING,
            "direct I/O (O_DIRECT) is not available in {0} ({1}); using buffered I/O", dir.root(), why);
      }
    }
    this.direct = useDirect;
  }

  /** Opens the page files of {@code dir} with default options. */
  public static DiskManager open(DataDirectory dir) {
    return open(dir, DiskOptions.defaults());
  }

  /** Opens the page files of {@code dir}. The directory stays owned by the caller (close it after this). */
  public static DiskManager open(DataDirectory dir, DiskOptions options) {
    return open(dir, options, PageFileChannel.DEFAULT_OPENER);
  }

  /**
   * Opens the page files of {@code dir}, doing all page I/O through {@code engine} (io_uring where available:
   * see {@code org.rustydb.io.IoEngines}). The engine stays owned by the caller: close it after this.
   */
  public static DiskManager open(DataDirectory dir, DiskOptions options, org.rustydb.io.IoEngine engine) {
    if (engine == null) throw new IllegalArgumentException("engine is null");
    return open(dir, options, PageFileChannel.DEFAULT_OPENER, engine);
  }

  static DiskManager open(DataDirectory dir, DiskOptions options, PageFileChannel.Opener opener) {
    return open(dir, options, opener, null);
  }

  private static DiskManager open(DataDirectory dir, DiskOptions options, PageFileChannel.Opener opener,
      org.rustydb.io.IoEngine engine) {
    if (dir.isClosed()) throw new ClosedException("data directory " + dir.root());
    DiskManager dm = new DiskManager(dir, options, opener, engine);
    try {
      dm.scanBase();
    } catch (IOException | RuntimeException e) {
      dm.close();
      if (e instanceof RuntimeException re) throw re;
      throw new OperationFailedException("cannot open the page files in " + dir.base() + ": " + e, e);
    }
    return dm;
  }

  private void scanBase() throws IOException {
    List<Path> paths = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.base())) {
      for (Path p : s) paths.add(p);
    }
    paths.sort(Comparator.naturalOrder());
    MemorySegment page = Arena.ofAuto().allocate(PAGE, PAGE);
    for (Path p : paths) {
      String name = p.getFileName().toString();
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || FileNames.problem(name) != null) {
        damaged.put(name, "not a page file (not a regular file, or a name RustyDB would not create)");
        continue;
      }
      PageFileChannel ch = PageFileChannel.open(p, direct, false, opener, engine);
      String problem;
      PageFileHeaderLayout.Header h = null;
      long size = ch.size();
      if (size < PAGE) {
        problem = "truncated: " + size + " bytes, too short for the header page";
      } else if (ch.read(0, page) < PAGE) {
        problem = "header page could not be read completely";
      } else {
        problem = PageFileHeaderLayout.problem(page);
        if (problem == null) {
          h = PageFileHeaderLayout.decode(page);
          PageFile other = byId.get(h.fileId());
          if (h.kind() != FileKind.DATA) {
            problem = "header says it is a temp file";
          } else if (size / PAGE < h.pageCount()) {
            problem = "truncated: the header says " + h.pageCount() + " pages (" + h.pageCount() * PAGE
                + " bytes) but the file has " + size + " bytes";
          } else if (other != null) {
            problem = "file id " + h.fileId() + " is also used by " + other.name;
          }
        }
      }
      if (h != null) maxFileId = Math.max(maxFileId, h.fileId());
      if (problem != null) {
        ch.close();
        damaged.put(name, problem);
        LOG.log(System.Logger.Level.WARNING, "page file {0} is damaged and stays closed: {1}", p, problem);
        continue;
      }
      PageFile f = new PageFile(name, FileKind.DATA, p, ch, mapping(p), h, size / PAGE,
          Arena.ofAuto().allocate(PAGE, PAGE));
      byId.put(f.fileId, f);
      byName.put(name, f);
    }
  }

  /**
   * A mapping for reads of {@code path} when {@link DiskOptions#mappedReads()} applies (buffered I/O, an engine
   * that allows it, memory mappings available), else null. A file that cannot be mapped is read as before.
   */
  private MappedFile mapping(Path path) {
    if (direct || !options.mappedReads() || (engine != null && !engine.allowsMappedReads())) return null;
    try {
      return MappedFile.open(path);
    } catch (OperationFailedException e) {
      LOG.log(System.Logger.Level.DEBUG, "no mapped reads of {0} ({1}); reading it with pread", path, e.getMessage());
      return null;
    }
  }

  // ---------------------------------------------------------------- files

  /** Creates page file {@code name} in {@code base/} and returns its file id; fails if it exists. */
  public int createFile(String name) {
    return create(name, FileKind.DATA);
  }

  /** Creates scratch page file {@code name} in {@code temp/}: never synced, deleted on close. */
  public int createTempFile(String name) {
    return create(name, FileKind.TEMP);
  }

  private synchronized int create(String name, FileKind kind) {
    checkWritable();
    FileNames.check(name);
    Path path = kind == FileKind.DATA ? dir.baseFile(name) : dir.tempFile(name);
    if (byName.containsKey(name) || damaged.containsKey(name) || Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new OperationFailedException("page file " + name + " already exists (" + path + ")");
    }
    if (maxFileId >= PageId.MAX_FILE_ID) throw new OperationFailedException("no file ids left");
    int fileId = maxFileId + 1;
    PageFileChannel ch = null;
    MappedFile mapping = null;
    try {
      DurableFiles.createFile(path);
      ch = PageFileChannel.open(path, direct, false, opener, engine);
      mapping = mapping(path);
      var h = new PageFileHeaderLayout.Header(fileId, kind, 1, 0, 0, System.currentTimeMillis());
      PageFile f = new PageFile(name, kind, path, ch, mapping, h, 0, Arena.ofAuto().allocate(PAGE, PAGE));
      f.lock.lock();
      try {
        grow(f);
        PageFileHeaderLayout.encode(h, f.scratch);
        ch.write(0, f.scratch);
        pagesWritten.increment();
        if (kind == FileKind.DATA) {
          ch.force();
          DurableFiles.syncDirectory(dir.base());
          syncs.increment();
        }
      } finally {
        f.lock.unlock();
      }
      maxFileId = fileId;
      byId.put(fileId, f);
      byName.put(name, f);
      return fileId;
    } catch (IOException e) {
      try {
        if (mapping != null) mapping.close();
        if (ch != null) ch.close();
        Files.deleteIfExists(path);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new OperationFailedException("cannot create page file " + path + ": " + e, e);
    }
  }

  /**
   * The file id of page file {@code name} in {@code base/} (or a temp file created in this session).
   *
   * @throws OperationFailedException if there is no such file
   * @throws CorruptionException if the file is damaged (see {@link #damagedFiles()})
   */
  public int openFile(String name) {
    checkOpen();
    FileNames.check(name);
    PageFile f = byName.get(name);
    if (f != null) return f.fileId;
    String problem = damaged.get(name);
    if (problem != null) throw new CorruptionException(dir.base().resolve(name) + ": " + problem);
    throw new OperationFailedException("no page file " + name + " in " + dir.base());
  }

  /** The file id of {@code name}, if it is an open (undamaged) page file. */
  public OptionalInt findFile(String name) {
    checkOpen();
    PageFile f = byName.get(name);
    return f == null ? OptionalInt.empty() : OptionalInt.of(f.fileId);
  }

  /** Deletes file {@code fileId} and its pages. */
  public synchronized void dropFile(int fileId) {
    checkWritable();
    PageFile f = file(fileId);
    byId.remove(fileId);
    byName.remove(f.name);
    readAhead.invalidateFile(fileId);
    try {
      if (f.mapping != null) f.mapping.close();
      f.channel.close();
      Files.deleteIfExists(f.path);
      if (f.kind == FileKind.DATA) DurableFiles.syncDirectory(dir.base());
    } catch (IOException e) {
      throw new OperationFailedException("cannot delete page file " + f.path + ": " + e, e);
    }
  }

  /** The open page files, by file id. */
  public List<PageFileInfo> files() {
    checkOpen();
    List<PageFileInfo> out = new ArrayList<>();
    for (PageFile f : byId.values()) {
      f.lock.lock();
      try {
        out.add(new PageFileInfo(f.name, f.fileId, f.kind, f.path, f.pageCount, f.freeCount));
      } finally {
        f.lock.unlock();
      }
    }
    out.sort(Comparator.comparingInt(PageFileInfo::fileId));
    return out;
  }

  /** Files in {@code base/} that could not be opened, by name, with what is wrong with each. */
  public Map<String, String> damagedFiles() {
    return new TreeMap<>(damaged);
  }

  /** The number of pages of file {@code fileId}, header page included. */
  public long pageCount(int fileId) {
    checkOpen();
    return file(fileId).pageCount;
  }

  /** The path of file {@code fileId}. */
  public Path path(int fileId) {
    checkOpen();
    return file(fileId).path;
  }

  /**
   * Walks the free list of file {@code fileId} (for verification): the page numbers on it in list order,
   * how many pages a crash cut off it, and what is wrong with it, if anything.
   *
   * <p>A list whose next link is a page that no longer carries the free-page magic is what a crash leaves
   * when a free page was reused and rewritten after the last sync (the header on disk still lists it):
   * that is not damage, and the pages after it are reported as {@code lostToCrash} (they stay unused
   * until the write-ahead log can rebuild the list). A free page with a bad checksum, a wrong id, a link
   * outside the file, a cycle, or a count that does not match the header is a {@code problem}.
   */
  public FreeList freeList(int fileId) {
    checkOpen();
    PageFile f = file(fileId);
    f.lock.lock();
    try {
      List<Long> pages = new ArrayList<>();
      java.util.Set<Long> seen = new java.util.HashSet<>();
      long p = f.freeHead;
      while (p != 0) {
        if (!seen.add(p)) return new FreeList(pages, 0, "free list has a cycle at page " + p);
        if (p >= f.pageCount) return new FreeList(pages, 0, "free list points past the end of the file at page " + p);
        if (readRaw(f, p, f.scratch) < PAGE) return new FreeList(pages, 0, "free page " + p + " is past the end of the file");
        if (!FreePageLayout.looksFree(f.scratch)) return new FreeList(pages, f.freeCount - pages.size(), null);
        String problem = FreePageLayout.problem(f.scratch, PageId.of(f.fileId, p), f.pageCount);
        if (problem != null) return new FreeList(pages, 0, "page " + p + ": " + problem);
        pages.add(p);
        p = FreePageLayout.next(f.scratch);
      }
      if (pages.size() != f.freeCount) {
        return new FreeList(pages, 0, "header counts " + f.freeCount + " free pages, the list has " + pages.size());
      }
      return new FreeList(pages, 0, null);
    } catch (IOException e) {
      throw ioFailure(f, 0, "walking the free list", e);
    } finally {
      f.lock.unlock();
    }
  }

  /**
   * A file's free list as found on disk: the pages on it, how many the header counts beyond a link that a
   * crash overwrote ({@code lostToCrash}), and what is wrong with it (null when it is sound).
   */
  public record FreeList(List<Long> pages, long lostToCrash, String problem) {}

  /** Describes one open page file. */
  public record PageFileInfo(String name, int fileId, FileKind kind, Path path, long pageCount, long freePages) {}

  // ---------------------------------------------------------------- pages

  @Override
  public boolean verifiesChecksums() {
    return options.verifyChecksums();
  }

  @Override
  public void readPage(long pageId, MemorySegment dst) {
    checkOpen();
    requirePageBuffer(dst, true);
    PageFile f = file(fileOf(pageId));
    long pageNo = PageId.pageNo(pageId);
    DatabaseFailedException syncFailed = f.syncFailed;
    if (syncFailed != null) {
      throw new DatabaseFailedException("cannot read page " + pageNo + " of " + f.path + " after its fsync failed"
          + " (the writes it was to make durable may be lost, and their old bytes are not the data): "
          + syncFailed.getMessage(), syncFailed);
    }
    long count = f.pageCount;
    if (pageNo >= count) {
      throw new OperationFailedException("page " + PageId.toString(pageId) + " is past the end of " + f.path
          + " (" + count + " pages)");
    }
    boolean readAheadOn = options.prefetchPages() > 0 && f.kind == FileKind.DATA;
    if (readAheadOn && readAhead.take(pageId, dst)) {
      verify(f, pageNo, dst);
      maybePrefetch(f, pageNo);
      return;
    }
    if (f.mapping != null && pageNo < f.sizePages && f.mapping.copy(pageNo * PAGE, dst.asSlice(0, PAGE))) {
      pagesRead.increment();
      mappedReads.increment();
      verify(f, pageNo, dst);
      if (readAheadOn) maybePrefetch(f, pageNo);
      return;
    } // else past the file's end as the mapping saw it: the read says how (truncated)
    boolean bounced = direct && !PageFileChannel.aligned(dst.asSlice(0, PAGE));
    MemorySegment buf = bounced ? bounce.get() : dst.asSlice(0, PAGE);
    int n;
    try {
      n = readRaw(f, pageNo, buf);
    } catch (IOException e) {
      throw ioFailure(f, pageNo, "read", e);
    }
    if (n < PAGE) {
      long size = -1;
      try {
        size = f.channel.size();
      } catch (IOException ignored) {
        // the size only makes the message better
      }
      throw new CorruptionException(f.path, pageNo, "file is truncated: the page ends at byte "
          + (pageNo + 1) * PAGE + " but the file has " + size + " bytes");
    }
    if (bounced) MemorySegment.copy(buf, 0, dst, 0, PAGE);
    verify(f, pageNo, dst);
    if (readAheadOn) maybePrefetch(f, pageNo);
  }

  /**
   * One read of {@code count} pages straight into {@code dst} when it is aligned for direct I/O (else page by
   * page), each page then checked. Pages in the read-ahead memory are not consulted: it only ever holds
   * what is on disk too.
   */
  @Override
  public void readPages(long firstPageId, int count, MemorySegment dst) {
    checkOpen();
    PageFile f = file(fileOf(firstPageId));
    long first = PageId.pageNo(firstPageId);
    if (count < 1 || first < 1 || first + count > f.pageCount) {
      throw new OperationFailedException("pages " + first + ".." + (first + count - 1) + " are not all allocated in "
          + f.path + " (" + f.pageCount + " pages)");
    }
    MemorySegment buf = dst.asSlice(0, (long) count * PAGE);
    if (f.syncFailed != null || (direct && !PageFileChannel.aligned(buf))) { // readPage says why, or bounces
      PageFileStore.super.readPages(firstPageId, count, dst);
      return;
    }
    long n = 0;
    try {
      for (int r = 1; r > 0 && n < buf.byteSize(); n += r) r = Math.max(0, f.channel.read(first * PAGE + n, buf.asSlice(n)));
    } catch (IOException e) {
      throw ioFailure(f, first + n / PAGE, "read", e);
    }
    if (n < buf.byteSize()) {
      throw new CorruptionException(f.path, first + n / PAGE, "file is truncated: pages " + first + ".."
          + (first + count - 1) + " end at byte " + (first + count) * PAGE + " but only " + n + " bytes from byte "
          + first * PAGE + " could be read");
    }
    pagesRead.add(count);
    for (int i = 0; i < count; i++) verify(f, first + i, buf.asSlice((long) i * PAGE, PAGE));
  }

  private void maybePrefetch(PageFile f, long pageNo) {
    long last = f.readAheadEnd(pageNo, options.sequentialThreshold(), options.prefetchPages());
    if (last < 0) return;
    // A per-thread buffer of an automatic arena: an I/O engine completes reads on its own threads, so the
    // buffer cannot be confined; and a shared arena per read-ahead would cost a handshake to free.
    readAheadRun(f, pageNo + 1, (int) (last - pageNo), readAheadBuffer.get());
  }

  /**
   * Reads up to half the read-ahead cache's pages from {@code firstPageId} into it in one operation (for a
   * caller that knows what it reads next: the pool's warm-up). Off with read-ahead, for non-data files and
   * after a failed fsync (then {@code readPage} refuses anyway).
   */
  @Override
  public void readAhead(long firstPageId, int count) {
    checkOpen();
    PageFile f = byId.get(fileOf(firstPageId));
    if (f == null || options.prefetchPages() == 0 || f.kind != FileKind.DATA || f.syncFailed != null) return;
    long first = PageId.pageNo(firstPageId);
    int n = (int) Math.min(Math.min(count, hintPages()), f.pageCount - first);
    if (first < 1 || n <= 0) return;
    f.hinted(first, first + n - 1);
    readAheadRun(f, first, n, hintBuffer.get());
  }

  private int hintPages() {
    return Math.max(options.prefetchPages(), options.readAheadCachePages() / 2);
  }

  private void readAheadRun(PageFile f, long first, int count, MemorySegment buffer) {
    long seq = f.writeSeq.get();
    try {
      MemorySegment buf = buffer.asSlice(0, (long) count * PAGE);
      int n = f.channel.read(first * PAGE, buf);
      pagesRead.add(n / PAGE);
      if (n / PAGE > 0) readAhead.putAll(f, seq, first, buf, n / PAGE);
    } catch (IOException e) {
      // Read-ahead is a hint: the demand read will report the error if the page is really asked for.
      LOG.log(System.Logger.Level.DEBUG, "read-ahead of {0} pages of {1} failed: {2}", count, f.path, e);
    }
  }

  @Override
  public void writePage(long pageId, MemorySegment src) {
    checkWritable();
    requirePageBuffer(src, false);
    PageFile f = file(fileOf(pageId));
    long pageNo = PageId.pageNo(pageId);
    if (pageNo == 0) throw new IllegalArgumentException("page 0 of " + f.name + " is the file header");
    long count = f.pageCount;
    if (pageNo >= count) {
      throw new IllegalArgumentException("page " + PageId.toString(pageId) + " is not allocated (" + f.name
          + " has " + count + " pages)");
    }
    MemorySegment buf = src;
    if (direct && !PageFileChannel.aligned(src.asSlice(0, PAGE))) {
      buf = bounce.get();
      MemorySegment.copy(src, 0, buf, 0, PAGE);
    }
    try {
      f.channel.write(pageNo * PAGE, buf.asSlice(0, PAGE));
    } catch (IOException | RuntimeException e) {
      forgetReadAhead(f, pageId, 1);
      throw e instanceof IOException io ? ioFailure(f, pageNo, "write", io) : (RuntimeException) e;
    }
    f.unsynced.set(true);
    f.writeSeq.incrementAndGet();
    readAhead.invalidate(pageId);
    pagesWritten.increment();
  }

  /**
   * A write of {@code n} pages from {@code firstPageId} failed: what is on disk there is unknown (it may be
   * torn), so a read-ahead copy of the old bytes must not be served for them, and a prefetch reading them
   * right now must not cache what it read.
   */
  private void forgetReadAhead(PageFile f, long firstPageId, long n) {
    f.writeSeq.incrementAndGet();
    readAhead.invalidate(firstPageId, n);
  }

  /** A run of consecutive pages in one positional write (aligned buffers only under direct I/O). */
  @Override
  public void writePages(long firstPageId, MemorySegment src) {
    long n = PageFileStore.checkRun(firstPageId, src);
    if (n == 1 || (direct && !PageFileChannel.aligned(src))) {
      PageFileStore.super.writePages(firstPageId, src); // page by page, through the bounce buffer
      return;
    }
    checkWritable();
    PageFile f = file(fileOf(firstPageId));
    long pageNo = PageId.pageNo(firstPageId);
    if (pageNo == 0) throw new IllegalArgumentException("page 0 of " + f.name + " is the file header");
    long count = f.pageCount;
    if (pageNo + n > count) {
      throw new IllegalArgumentException("pages " + PageId.toString(firstPageId) + " .. +" + (n - 1)
          + " are not all allocated (" + f.name + " has " + count + " pages)");
    }
    try {
      f.channel.write(pageNo * PAGE, src);
    } catch (IOException | RuntimeException e) {
      forgetReadAhead(f, firstPageId, n);
      throw e instanceof IOException io ? ioFailure(f, pageNo, "write", io) : (RuntimeException) e;
    }
    f.unsynced.set(true);
    f.writeSeq.incrementAndGet();
    readAhead.invalidate(firstPageId, n);
    pagesWritten.add(n);
  }

  @Override
  public long allocatePage(int fileId) {
    checkWritable();
    PageFile f = file(fileId);
    f.lock.lock();
    try {
      while (f.freeHead != 0) {
        long p = f.freeHead;
        long pageId = PageId.of(fileId, p);
        String problem = readRaw(f, p, f.scratch) < PAGE ? "past the end of the file"
            : FreePageLayout.problem(f.scratch, pageId, f.pageCount);
        if (problem != null) {
          boolean crash = !FreePageLayout.looksFree(f.scratch);
          LOG.log(crash ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
              crash
                  ? "free list of {0} was cut at page {1} by a crash (the page was reused after the last sync);"
                      + " its {3} page(s) stay unused"
                  : "free list of {0} is damaged at page {1} ({2}); its {3} page(s) stay unused",
              f.path, p, problem, f.freeCount);
          f.freeHead = 0;
          f.freeCount = 0;
          f.headerDirty = true;
          break;
        }
        f.freeHead = FreePageLayout.next(f.scratch);
        f.freeCount--;
        f.headerDirty = true;
        readAhead.invalidate(pageId);
        return pageId;
      }
      long p = f.pageCount;
      if (p > PageId.MAX_PAGE_NO) throw new OperationFailedException(f.path + " is full");
      if (p >= f.sizePages) grow(f);
      f.pageCount = p + 1;
      f.headerDirty = true;
      return PageId.of(fileId, p);
    } catch (IOException e) {
      throw ioFailure(f, f.pageCount, "allocate", e);
    } finally {
      f.lock.unlock();
    }
  }

  /**
   * Extends the file by one growth chunk of zeroed pages. Called under {@code f.lock}. Only the chunk's
   * last page is written: the pages before it are a hole, which reads as zeros just as written zeros do.
   * Writing them all was a 256 KiB synchronous write per 64 allocations in the allocating thread, while it
   * held the file's lock (YCSB D: a fifth of its inserts' waits). A full disk now shows when a page is
   * first written (it stays dirty, its changes in the log) rather than when it is allocated.
   */
  private void grow(PageFile f) throws IOException {
    long target = f.sizePages + growth(f.sizePages, options.growthChunkPages());
    f.channel.write((target - 1) * PAGE, zeros.asSlice(0, PAGE));
    f.sizePages = target;
    f.unsynced.set(true);
  }

  /** Most pages a file grows by at once: 32 MiB of hole. */
  static final long MAX_GROWTH_PAGES = 8192;

  /**
   * Pages a file of {@code sizePages} grows by: the configured chunk, or an eighth of the file once that is
   * more (at most {@link #MAX_GROWTH_PAGES}). The growth is a synchronous write made while the allocating
   * thread holds the file's lock (and, in a B+tree split, the latches of the pages it splits); in fixed
   * chunks of 64 pages a 200 MiB table paid one every 64 allocations, and a fifth of an insert-only YCSB
   * run's client waits were behind them. Geometric growth makes them as rare as a file's doublings.
   */
  static long growth(long sizePages, int chunkPages) {
    return Math.max(chunkPages, Math.min(sizePages / 8, MAX_GROWTH_PAGES));
  }

  @Override
  public void freePage(long pageId) {
    checkWritable();
    PageFile f = file(fileOf(pageId));
    long pageNo = PageId.pageNo(pageId);
    if (pageNo == 0) throw new IllegalArgumentException("page 0 of " + f.name + " is the file header");
    f.lock.lock();
    try {
      if (pageNo >= f.pageCount) {
        throw new IllegalArgumentException("page " + PageId.toString(pageId) + " is not allocated");
      }
      if (pageNo == f.freeHead) throw new IllegalArgumentException("page " + PageId.toString(pageId) + " is already free");
      FreePageLayout.encode(pageId, f.freeHead, f.scratch);
      f.channel.write(pageNo * PAGE, f.scratch);
      pagesWritten.increment();
      f.freeHead = pageNo;
      f.freeCount++;
      f.headerDirty = true;
      f.unsynced.set(true);
      f.writeSeq.incrementAndGet();
      readAhead.invalidate(pageId);
    } catch (IOException e) {
      throw ioFailure(f, pageNo, "free", e);
    } finally {
      f.lock.unlock();
    }
  }

  /**
   * Makes every write to data file {@code fileId} so far durable, and its header (page count, free list)
   * with it: force, write the header, force again. Temp files are never synced.
   */
  @Override
  public void sync(int fileId) {
    checkWritable();
    PageFile f = file(fileId);
    if (f.kind == FileKind.TEMP) return;
    f.lock.lock();
    try {
      syncLocked(f);
    } finally {
      f.lock.unlock();
    }
  }

  /** Syncs every data file. */
  public void syncAll() {
    checkWritable();
    for (PageFile f : byId.values()) {
      if (f.kind == FileKind.DATA) sync(f.fileId);
    }
  }

  private void syncLocked(PageFile f) {
    try {
      boolean data = f.unsynced.getAndSet(false);
      if (!data && !f.headerDirty) return;
      if (data) {
        f.channel.force();
        syncs.increment();
      }
      if (f.headerDirty) {
        PageFileHeaderLayout.encode(f.header(), f.scratch);
        f.channel.write(0, f.scratch);
        pagesWritten.increment();
        f.headerDirty = false;
        f.channel.force();
        syncs.increment();
      }
    } catch (ClosedByInterruptException e) {
      // The fsync did not run to an answer; nothing is known to be lost, so the caller may retry.
      f.unsynced.set(true);
      throw ioFailure(f, 0, "sync", e);
    } catch (IOException e) {
      DatabaseFailedException failed = new DatabaseFailedException("fsync of " + f.path + " failed (" + e
          + "); the disk manager is read-only from now on, as what reached the disk is unknown", e);
      f.syncFailed = failed;
      failure = failed;
      throw failed;
    }
  }

  /**
   * Reads page {@code pageNo} of the page file at {@code file} into {@code dst} without opening its data
   * directory (no lock, buffered, read-only, no checks): for inspection tools, which may look at a
   * database another process has open. Returns the number of whole pages in the file.
   *
   * @throws OperationFailedException if the file cannot be read or has no such page
   */
  public static long readPageFromFile(Path file, long pageNo, MemorySegment dst) {
    requirePageBuffer(dst, true);
    if (pageNo < 0) throw new OperationFailedException("page number " + pageNo + " is negative");
    try (PageFileChannel ch = PageFileChannel.open(file, false, true, PageFileChannel.DEFAULT_OPENER)) {
      long pages = ch.size() / PAGE;
      if (pageNo >= pages) {
        throw new OperationFailedException("page " + pageNo + " is past the end of " + file + " (" + pages + " pages)");
      }
      if (ch.read(pageNo * PAGE, dst.asSlice(0, PAGE)) < PAGE) {
        throw new OperationFailedException("page " + pageNo + " of " + file + " could not be read completely");
      }
      return pages;
    } catch (IOException e) {
      throw new OperationFailedException("cannot read " + file + ": " + e, e);
    }
  }

  // ---------------------------------------------------------------- state

  /** Whether files use O_DIRECT (false after the logged fall-back, or when not asked for). */
  public boolean directIo() {
    return direct;
  }

  public DiskOptions options() {
    return options;
  }

  public DataDirectory directory() {
    return dir;
  }

  public DiskStats stats() {
    return new DiskStats(direct, pagesRead.sum(), pagesWritten.sum(), syncs.sum(),
        readAhead.issued.sum(), readAhead.hits.sum(), readAhead.wasted.sum(), mappedReads.sum());
  }

  /** The read-ahead cache (for tests). */
  ReadAheadCache readAheadCache() {
    return readAhead;
  }

  /** Whether read-ahead holds page {@code pageId} now (for tests). */
  boolean readAheadHolds(long pageId) {
    return readAhead.contains(pageId);
  }

  /**
   * Syncs every data file (unless a sync already failed), closes them and deletes temp files. Does not
   * close the data directory. Closing twice is harmless.
   */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    RuntimeException first = null;
    for (PageFile f : byId.values()) {
      f.lock.lock();
      try {
        if (f.kind == FileKind.DATA && failure == null) syncLocked(f);
      } catch (RuntimeException e) {
        if (first == null) first = e;
      } finally {
        f.lock.unlock();
      }
      try {
        if (f.mapping != null) f.mapping.close();
        f.channel.close();
        if (f.kind == FileKind.TEMP) Files.deleteIfExists(f.path);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "closing {0}: {1}", f.path, e);
      }
      readAhead.invalidateFile(f.fileId);
    }
    byId.clear();
    byName.clear();
    if (first != null) throw first;
  }

  // ---------------------------------------------------------------- helpers

  private int readRaw(PageFile f, long pageNo, MemorySegment aligned) throws IOException {
    int n = f.channel.read(pageNo * PAGE, aligned.asSlice(0, PAGE));
    if (n == PAGE) pagesRead.increment();
    return n;
  }

  private void verify(PageFile f, long pageNo, MemorySegment page) {
    if (!options.verifyChecksums() || PageCrc.matches(page) || PageCrc.isAllZero(page)) return;
    throw new CorruptionException(f.path, pageNo, String.format(
        "checksum mismatch (stored %08x at offset %d, computed %08x)",
        PageCrc.stored(page), PageCrc.OFFSET, PageCrc.compute(page)));
  }

  private static int fileOf(long pageId) {
    if (pageId <= 0) throw new IllegalArgumentException("invalid page id " + pageId);
    return PageId.fileId(pageId);
  }

  private PageFile file(int fileId) {
    PageFile f = byId.get(fileId);
    if (f == null) {
      checkOpen();
      throw new OperationFailedException("no open page file with id " + fileId + " in " + dir.root());
    }
    return f;
  }

  private static void requirePageBuffer(MemorySegment s, boolean forWriting) {
    if (s.byteSize() < PAGE) {
      throw new IllegalArgumentException("page buffer has " + s.byteSize() + " bytes, needs " + PAGE);
    }
    if (forWriting && s.isReadOnly()) throw new IllegalArgumentException("page buffer is read-only");
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("disk manager of " + dir.root());
  }

  private void checkWritable() {
    checkOpen();
    DatabaseFailedException f = failure;
    if (f != null) throw new DatabaseFailedException(f.getMessage(), f);
  }

  private RuntimeException ioFailure(PageFile f, long pageNo, String what, IOException e) {
    if (e instanceof ClosedByInterruptException) {
      return new OperationFailedException(what + " of " + f.path + " page " + pageNo
          + " was interrupted (the file stays open; the interrupt flag is set)", e);
    }
    if (e instanceof ClosedChannelException) {
      checkOpen();
      return new ClosedException("page file " + f.path);
    }
    return new OperationFailedException(what + " of " + f.path + " page " + pageNo + " failed: " + e, e);
  }

  @Override
  public String toString() {
    return "DiskManager[" + dir.root() + ", " + byId.size() + " files, direct=" + direct + "]";
  }
}
