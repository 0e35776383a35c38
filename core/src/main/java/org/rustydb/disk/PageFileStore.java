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

  /** Writes {@code src} as page {@code pageId}; durable only after {@link #sync(int)}. */
  void writePage(long pageId, MemorySegment src);

  /** Allocates a page in file {@code fileId}, reusing a freed page when there is one; returns its id. */
  long allocatePage(int fileId);

  /** Returns a page to its file's free list for reuse by {@link #allocatePage(int)}. */
  void freePage(long pageId);

  /** Makes every write to file {@code fileId} so far durable (fsync). */
  void sync(int fileId);

  @Override
  void close();
}
