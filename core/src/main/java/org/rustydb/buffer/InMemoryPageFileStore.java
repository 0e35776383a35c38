package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.PageFileStore;
import org.rustydb.disk.PageId;

/**
 * A {@link PageFileStore} on the Java heap: files are lists of 4 KiB arrays. For tests and for benchmarks of
 * the pool itself (resident pages), where a disk would only add noise. Files exist once {@link #createFile}
 * made them; a page past a file's end, or in a file that does not exist, is an {@link OperationFailedException}
 * naming it. Counts reads and writes, and offers {@link #beforeRead} to subclasses that want to slow or
 * block a read.
 */
public class InMemoryPageFileStore implements PageFileStore {

  private static final class File {
    final List<byte[]> pages = new ArrayList<>();
    final ArrayDeque<Long> free = new ArrayDeque<>();
  }

  private final ConcurrentHashMap<Integer, File> files = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, AtomicLong> readsPerPage = new ConcurrentHashMap<>();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong writeOps = new AtomicLong();
  private volatile boolean closed;

  /** Creates an empty file {@code fileId} (idempotent). */
  public void createFile(int fileId) {
    PageId.of(fileId, 0); // validates the id
    files.putIfAbsent(fileId, new File());
  }

  /** Creates file {@code fileId} with {@code pages} zeroed pages (never written: they read as zeros). */
  public void createFile(int fileId, long pages) {
    createFile(fileId);
    File f = files.get(fileId);
    synchronized (f) {
      while (f.pages.size() < pages) f.pages.add(new byte[PAGE_SIZE]);
    }
  }

  private File file(long pageId) {
    checkOpen();
    File f = files.get(PageId.fileId(pageId));
    if (f == null) {
      throw new OperationFailedException("page " + PageId.toString(pageId) + ": file " + PageId.fileId(pageId)
          + " does not exist");
    }
    return f;
  }

  private static byte[] page(File f, long pageId) {
    long no = PageId.pageNo(pageId);
    if (no >= f.pages.size()) {
      throw new OperationFailedException("page " + PageId.toString(pageId) + " is past the end of file "
          + PageId.fileId(pageId) + " (" + f.pages.size() + " pages)");
    }
    return f.pages.get((int) no);
  }

  /** Called before every read; a subclass may block or delay here. */
  protected void beforeRead(long pageId) {}

  @Override
  public void readPage(long pageId, MemorySegment dst) {
    checkSize(dst);
    File f = file(pageId);
    beforeRead(pageId);
    synchronized (f) {
      MemorySegment.copy(page(f, pageId), 0, dst, ValueLayout.JAVA_BYTE, 0, PAGE_SIZE);
    }
    reads.incrementAndGet();
    readsPerPage.computeIfAbsent(pageId, k -> new AtomicLong()).incrementAndGet();
  }

  @Override
  public void writePage(long pageId, MemorySegment src) {
    checkSize(src);
    File f = file(pageId);
    synchronized (f) {
      MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, page(f, pageId), 0, PAGE_SIZE);
    }
    writes.incrementAndGet();
    writeOps.incrementAndGet();
  }

  /** Writes a run of consecutive pages as one operation (counted once in {@link #writeOps()}). */
  @Override
  public void writePages(long firstPageId, MemorySegment src) {
    long n = PageFileStore.checkRun(firstPageId, src);
    File f = file(firstPageId);
    synchronized (f) {
      page(f, firstPageId + n - 1); // the whole run exists, or nothing is written
      for (long i = 0; i < n; i++) {
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, i * PAGE_SIZE, page(f, firstPageId + i), 0, PAGE_SIZE);
      }
    }
    writes.addAndGet(n);
    writeOps.incrementAndGet();
  }

  @Override
  public long allocatePage(int fileId) {
    checkOpen();
    File f = files.get(fileId);
    if (f == null) throw new OperationFailedException("file " + fileId + " does not exist");
    synchronized (f) {
      Long reused = f.free.poll();
      if (reused != null) return reused;
      f.pages.add(new byte[PAGE_SIZE]);
      return PageId.of(fileId, f.pages.size() - 1);
    }
  }

  @Override
  public void freePage(long pageId) {
    File f = file(pageId);
    synchronized (f) {
      page(f, pageId);
      f.free.add(pageId);
    }
  }

  @Override
  public void sync(int fileId) {
    checkOpen();
  }

  /** A copy of the stored bytes of a page (what the disk holds, not the pool). */
  public byte[] stored(long pageId) {
    File f = file(pageId);
    synchronized (f) {
      return page(f, pageId).clone();
    }
  }

  /** Overwrites the stored bytes of a page (to simulate corruption in tests). */
  public void overwrite(long pageId, byte[] bytes) {
    File f = file(pageId);
    synchronized (f) {
      System.arraycopy(bytes, 0, page(f, pageId), 0, PAGE_SIZE);
    }
  }

  public long reads() {
    return reads.get();
  }

  public long reads(long pageId) {
    AtomicLong n = readsPerPage.get(pageId);
    return n == null ? 0 : n.get();
  }

  /** Pages written. */
  public long writes() {
    return writes.get();
  }

  /** Write calls: a run written by {@link #writePages} counts once. */
  public long writeOps() {
    return writeOps.get();
  }

  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("in-memory page store");
  }

  private static void checkSize(MemorySegment s) {
    if (s.byteSize() != PAGE_SIZE) {
      throw new IllegalArgumentException("page buffer must be " + PAGE_SIZE + " bytes: " + s.byteSize());
    }
  }
}
