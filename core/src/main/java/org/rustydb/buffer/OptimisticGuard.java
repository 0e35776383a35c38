package org.rustydb.buffer;

/**
 * An optimistic read: no pin, no latch, nothing written to shared memory. Reads may see a page that is being
 * changed, or even a frame that was given to another page meanwhile (the bytes are always mapped memory, so
 * this is safe, merely meaningless); {@link #validate()} says whether everything read since the guard was
 * opened is consistent. Read, then validate, and retry (or fall back to {@code pool.read}) when it fails.
 */
public final class OptimisticGuard extends PageGuard {

  private final long stamp;

  OptimisticGuard(Frame frame, long pageId, long stamp) {
    super(frame, pageId);
    this.stamp = stamp;
  }

  /** True if no writer touched the page, and the frame still holds it, since this guard was opened. */
  public boolean validate() {
    checkOpen();
    return frame.validate(stamp);
  }

  @Override
  public void close() {
    closed = true;
  }
}
