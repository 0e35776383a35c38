package org.rustydb.disk;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.io.MappedFile;

/**
 * One open page file of a {@link DiskManager}: its channel, the in-memory copy of its header, and its
 * sequential-read detector. Page reads and writes go straight to the channel (positional I/O is
 * thread-safe); {@link #lock} serialises what changes the header: allocation, freeing, growth, sync.
 */
final class PageFile {

  final String name;
  final int fileId;
  final FileKind kind;
  final Path path;
  final PageFileChannel channel;
  /** Mapped reads of this file ({@link org.rustydb.disk.DiskOptions#mappedReads()}); null when off. */
  final MappedFile mapping;
  final long createdMillis;

  /** Guards the fields below it and {@link #scratch}. */
  final ReentrantLock lock = new ReentrantLock();
  /** Pages in use or free, header included; read without the lock for bounds checks. */
  volatile long pageCount;
  /**
   * The file's length in pages (grown in chunks, so usually more than pageCount). Read without the lock by
   * mapped reads: a page below it is in the file.
   */
  volatile long sizePages;
  long freeHead;
  long freeCount;
  boolean headerDirty;
  /** An aligned page for header and free-page I/O, used under {@link #lock}. */
  final MemorySegment scratch;

  /** Set by every write, cleared by sync: whether an fsync has anything to do. */
  final AtomicBoolean unsynced = new AtomicBoolean();
  /**
   * Set when an fsync of this file failed: the kernel may have dropped the writes since the last good sync
   * (Linux marks their pages clean after a writeback error and may evict them), so a read may return the
   * bytes they replaced. Every later read of the file throws this instead.
   */
  volatile org.rustydb.DatabaseFailedException syncFailed;
  /** Bumped after every page write; read-ahead discards what it read if this moved meanwhile. */
  final AtomicLong writeSeq = new AtomicLong();

  // Sequential-read detection (guarded by this object's monitor).
  private long lastRead = -1;
  private int run;
  private long prefetchedUpTo;
  private long hintedFrom = -1; // pages a caller read ahead itself (DiskManager.readAhead)
  private long hintedUpTo = -1;

  PageFile(String name, FileKind kind, Path path, PageFileChannel channel, MappedFile mapping,
      PageFileHeaderLayout.Header h, long sizePages, MemorySegment scratch) {
    this.name = name;
    this.fileId = h.fileId();
    this.kind = kind;
    this.path = path;
    this.channel = channel;
    this.mapping = mapping;
    this.createdMillis = h.createdMillis();
    this.pageCount = h.pageCount();
    this.freeHead = h.freeHead();
    this.freeCount = h.freeCount();
    this.sizePages = sizePages;
    this.scratch = scratch;
  }

  PageFileHeaderLayout.Header header() {
    return new PageFileHeaderLayout.Header(fileId, kind, pageCount, freeHead, freeCount, createdMillis);
  }

  /** Pages {@code first} to {@code last} were read ahead on a caller's hint: no read-ahead of our own there. */
  synchronized void hinted(long first, long last) {
    hintedFrom = first;
    hintedUpTo = last;
  }

  /**
   * Records a read of {@code pageNo} and decides on read-ahead: after {@code threshold} reads of
   * consecutive pages, returns the last page to prefetch (pages {@code pageNo + 1} up to it: the next
   * {@code prefetch} pages, or fewer at the end of the file), else -1. Once a window is fetched, the next
   * one is fetched only when the reader reaches its last page, so a sequential scan costs one large read
   * per window, not one per page.
   */
  synchronized long readAheadEnd(long pageNo, int threshold, int prefetch) {
    if (pageNo == lastRead + 1) {
      run++;
    } else if (pageNo != lastRead) {
      run = 1;
      prefetchedUpTo = 0;
    }
    lastRead = pageNo;
    if (pageNo >= hintedFrom && pageNo <= hintedUpTo) return -1; // a caller's read-ahead hint covers it
    if (prefetch == 0 || run < threshold || pageNo < prefetchedUpTo) return -1;
    long last = Math.min(pageNo + prefetch, pageCount - 1);
    if (last <= pageNo) return -1;
    prefetchedUpTo = last;
    return last;
  }
}
