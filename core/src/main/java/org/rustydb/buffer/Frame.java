package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import org.rustydb.disk.PageId;

/**
 * One buffer frame: a 4 KiB slice of the pool's {@link FrameRegion}, the latch that also pins it (this class
 * extends {@link PageLatch}, so the latch word and these fields share a cache line), and the identity of the
 * page it holds. The page id changes only while the frame is held exclusively (so optimistic
 * readers see a version change when a frame is reused); it is volatile so that a reader who found the frame
 * through the lock-free page table can check, after latching, that it got the page it asked for.
 */
final class Frame extends PageLatch {

  // index (the frame's number in the pool) is the latch's: PageLatch#index
  final MemorySegment page;

  /** The page held, or {@link PageId#INVALID} for a free frame. */
  volatile long pageId = PageId.INVALID;

  /**
   * The page this frame is claimed for (mapped in the page table already) while its dirty victim, still
   * {@link #pageId}, is being written back with the frame held exclusively; else {@link PageId#INVALID}. Lets
   * a reader who found the page in the table know that waiting on this latch is worth it.
   */
  volatile long loadingPageId = PageId.INVALID;

  /** Changed since it was last written; set by write guards, cleared under the exclusive latch before a write. */
  volatile boolean dirty;

  /** Loaded by the prefetcher and not referenced since (for prefetch hit/miss counts). */
  volatile boolean prefetched;

  /**
   * A copy of this page is being written by a {@link DirtyPageWriter} (set with a CAS while holding the latch
   * shared, cleared after the write). No other write of the page may start meanwhile: see that class.
   */
  volatile boolean flushing;

  private static final java.lang.invoke.VarHandle FLUSHING;

  static {
    try {
      FLUSHING = java.lang.invoke.MethodHandles.lookup().findVarHandle(Frame.class, "flushing", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Claims the page's one in-flight write; false if another writer has it. */
  boolean tryStartFlush() {
    return FLUSHING.compareAndSet(this, false, true);
  }

  /** Waits (yielding) until no copy of this page is in flight. */
  void awaitNoFlush() {
    while (flushing) Thread.yield();
  }

  // No padding, before or after. Padding each frame to its own cache lines (it was 56 bytes before the latch
  // word and 56 after) made frames 3x larger, so that a pool's frame objects no longer fitted in a core's L2
  // cache and a resident hit cost 1.5x more (docs/benchmarks.md). What padding saved, false sharing between
  // neighbouring frames, costs only when two threads latch two frames that the allocator placed side by
  // side at the same moment; the frames of hot pages are rarely neighbours.

  Frame(int index, MemorySegment page, ReaderSlots slots) {
    super(slots, index);
    this.page = page;
  }

  @Override
  public String toString() {
    return "Frame[" + index + ", page " + PageId.toString(pageId) + ", dirty=" + dirty + ", " + super.toString() + "]";
  }
}
