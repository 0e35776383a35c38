package org.rustydb.buffer;

/** Shared access to one page: the frame is pinned and latched shared until {@link #close()}. */
public final class ReadGuard extends PageGuard {

  ReadGuard(Frame frame, long pageId) {
    super(frame, pageId);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    frame.releaseShared();
  }
}
