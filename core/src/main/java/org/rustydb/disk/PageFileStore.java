package org.rustydb.disk;

import java.lang.foreign.MemorySegment;

/**
 * What the buffer pool needs from the disk layer: whole 4 KiB pages moved between page files and memory,
 * addressed by {@link PageId}. {@code DiskManager} implements it over the data directory; tests may use an
 * in-memory implementation. Buffers are at least {@value #PAGE_SIZE} bytes (the first 4096 are used;
 * smaller ones throw {@link IllegalArgumentException}) and should be 4096-aligned native memory: direct
 * I/O needs it, and {@code DiskManager} copies any other segment through an aligned bounce buffer.
 *
 * <p>Implementations are thread-safe: the pool reads and writes different pages from many threads.
 */
public interface PageFileStore extends AutoCloseable {

  int PAGE_SIZE = 4096;

  /** Reads page {@code pageId} into {@code dst}. A page past the end of its file is an error. */
  void readPage(long pageId, MemorySegment dst);

  /**
   * Whether {@link #readPage} checks every page's checksum ({@link PageCrc}) itself and throws a
   * {@code CorruptionException} on a mismatch, so that a reader need not compute it a second time (a
   * CRC32C of 4 KiB per miss). False by default.
   */
  default boolean verifiesChecksums() {
    return false;
  }

  /**
   * A hint that pages {@code firstPageId} to {@code firstPageId + count - 1} of one file are about to be read:
   * a store may read them in one operation so that the {@link #readPage} calls that follow find them in
   * memory. Never fails (a page the hint could not read is read, or reported, by {@code readPage}). The
   * default does nothing.
   */
  default void readAhead(long firstPageId, int count) {}

  /**
   * Reads the {@code count} consecutive pages of one file from {@code firstPageId} into {@code dst} (at least
   * {@code count} pages long), each checked as {@link #readPage} checks it: for reading many pages at once
   * (the pool's warm-up). A store may read them in one operation, straight from the file (bypassing
   * {@link #readAhead}'s memory). The default reads page by page.
   */
  default void readPages(long firstPageId, int count, MemorySegment dst) {
    for (int i = 0; i < count; i++) readPage(firstPageId + i, dst.asSlice((long) i * PAGE_SIZE, PAGE_SIZE));
  }

  /** Writes {@code src} as page {@code pageId}; durable only after {@link #sync(int)}. */
  void writePage(long pageId, MemorySegment src);

  /**
   * Writes {@code src.byteSize() / PAGE_SIZE} consecutive pages of one file, starting at {@code firstPageId},
   * from {@code src} (a whole number of pages): one write operation where the store can (the buffer pool's
   * write combining hands it contiguous runs of dirty pages). The default writes page by page.
   */
  default void writePages(long firstPageId, MemorySegment src) {
    long n = checkRun(firstPageId, src);
    for (long i = 0; i < n; i++) {
      writePage(firstPageId + i, src.asSlice(i * PAGE_SIZE, PAGE_SIZE));
    }
  }

  /** The page count of a run for {@link #writePages}; throws {@link IllegalArgumentException} if it is not one. */
  static long checkRun(long firstPageId, MemorySegment src) {
    long bytes = src.byteSize();
    if (bytes == 0 || bytes % PAGE_SIZE != 0) {
      throw new IllegalArgumentException("a run of pages is a positive multiple of " + PAGE_SIZE + " bytes: " + bytes);
    }
    long n = bytes / PAGE_SIZE;
    if (PageId.pageNo(firstPageId) + n - 1 > PageId.MAX_PAGE_NO) {
      throw new IllegalArgumentException("run of " + n + " pages from " + PageId.toString(firstPageId) + " leaves the file");
    }
    return n;
  }

  /** Allocates a page in file {@code fileId}, reusing a freed page when there is one; returns its id. */
  long allocatePage(int fileId);

  /** Returns a page to its file's free list for reuse by {@link #allocatePage(int)}. */
  void freePage(long pageId);

  /** Makes every write to file {@code fileId} so far durable (fsync). */
  void sync(int fileId);

  @Override
  void close();
}
