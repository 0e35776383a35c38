package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.rustydb.ClosedException;
import org.rustydb.disk.PageId;

/**
 * What every guard shares: the page it names and little-endian reads of its bytes. A guard is single-use and
 * belongs to the thread that opened it; after {@link #close()} every access throws {@link ClosedException},
 * and closing again does nothing. {@link #segment()} hands out the frame's bytes directly (for page views and
 * I/O); it must not be kept past {@code close()}, when the frame may start holding another page.
 */
public abstract sealed class PageGuard implements AutoCloseable permits ReadGuard, WriteGuard, OptimisticGuard {

  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  final Frame frame;
  final long pageId;
  boolean closed;

  PageGuard(Frame frame, long pageId) {
    this.frame = frame;
    this.pageId = pageId;
  }

  public final long pageId() {
    return pageId;
  }

  /** The page's 4096 bytes (the frame itself, not a copy). */
  public final MemorySegment segment() {
    checkOpen();
    return frame.page;
  }

  public final long getLong(long offset) {
    checkOpen();
    return frame.page.get(LONG, offset);
  }

  public final int getInt(long offset) {
    checkOpen();
    return frame.page.get(INT, offset);
  }

  public final short getShort(long offset) {
    checkOpen();
    return frame.page.get(SHORT, offset);
  }

  public final byte getByte(long offset) {
    checkOpen();
    return frame.page.get(ValueLayout.JAVA_BYTE, offset);
  }

  /** Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset..]}. */
  public final void getBytes(long offset, byte[] dst, int dstOffset, int length) {
    checkOpen();
    MemorySegment.copy(frame.page, ValueLayout.JAVA_BYTE, offset, dst, dstOffset, length);
  }

  /** Releases what the guard holds; a second call does nothing. */
  @Override
  public abstract void close();

  public final boolean isClosed() {
    return closed;
  }

  final void checkOpen() {
    if (closed) throw new ClosedException("page guard for page " + PageId.toString(pageId));
  }
}
