package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Exclusive access to one page: the frame is pinned and latched exclusively until {@link #close()}, and is
 * marked dirty (it will be written before its frame is reused, and by {@code flush}/{@code flushAll}).
 * Closing bumps the latch version, which fails every optimistic read that overlapped it.
 */
public final class WriteGuard extends PageGuard {

  WriteGuard(Frame frame, long pageId) {
    super(frame, pageId);
  }

  public void setLong(long offset, long value) {
    checkOpen();
    frame.page.set(LONG, offset, value);
  }

  public void setInt(long offset, int value) {
    checkOpen();
    frame.page.set(INT, offset, value);
  }

  public void setShort(long offset, short value) {
    checkOpen();
    frame.page.set(SHORT, offset, value);
  }

  public void setByte(long offset, byte value) {
    checkOpen();
    frame.page.set(ValueLayout.JAVA_BYTE, offset, value);
  }

  /** Copies {@code src[srcOffset..srcOffset+length)} to the page at {@code offset}. */
  public void putBytes(long offset, byte[] src, int srcOffset, int length) {
    checkOpen();
    MemorySegment.copy(src, srcOffset, frame.page, ValueLayout.JAVA_BYTE, offset, length);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    frame.releaseExclusive();
  }
}
