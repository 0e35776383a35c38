package org.rustydb.buffer;

/**
 * Shared access to one page: the frame is pinned and latched shared until {@link #close()}, either as a biased
 * reader (a slot of the pool's {@link ReaderSlots}) or through the latch's shared count.
 */
public final class ReadGuard extends PageGuard {

  /** What {@link PageLatch#tryEnterShared(ReaderSlots)} returned: a reader slot, or {@link PageLatch#COUNTED}. */
  private final int how;
  private final ReaderSlots readers;

  ReadGuard(Frame frame, long pageId, int how, ReaderSlots readers) {
    super(frame, pageId);
    this.how = how;
    this.readers = readers;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    frame.exitShared(readers, how);
  }
}
