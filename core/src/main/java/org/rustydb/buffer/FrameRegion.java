package org.rustydb.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.rustydb.disk.PageFileStore;

/**
 * The pool's page memory: one off-heap region of {@code frames * 4096} bytes, 4096-aligned, so that O_DIRECT
 * reads and io_uring fixed buffers can use the frames with no copy. This is the one place that allocates it:
 * {@link #allocate} without a memory manager, {@link #fromMemoryManager} with one; and an io_uring engine
 * registers {@link #segment()} (reachable through {@code BufferPool.frameRegion()}) as its fixed buffers.
 */
public final class FrameRegion implements AutoCloseable {

  public static final int FRAME_SIZE = PageFileStore.PAGE_SIZE;

  private final Runnable free;
  private final MemorySegment segment;
  private final int frames;
  private boolean closed;

  private FrameRegion(Runnable free, MemorySegment segment, int frames) {
    this.free = free;
    this.segment = segment;
    this.frames = frames;
  }

  /**
   * A region from the memory manager ({@code allocateFrameRegion}: budgeted, huge pages when available),
   * given back with {@code freeFrameRegion} at close (unless the manager closed first, which freed it).
   */
  public static FrameRegion fromMemoryManager(org.rustydb.memory.MemoryManager mm, int frames) {
    if (frames <= 0) throw new IllegalArgumentException("frame count must be positive: " + frames);
    MemorySegment seg = mm.allocateFrameRegion((long) frames * FRAME_SIZE, FRAME_SIZE);
    return new FrameRegion(() -> {
      try {
        mm.freeFrameRegion(seg);
      } catch (org.rustydb.ClosedException alreadyFreed) {
        // the manager's close unmapped everything
      }
    }, seg, frames);
  }

  /** A zeroed region of {@code frames} 4 KiB frames in a shared arena (any thread may use it). */
  public static FrameRegion allocate(int frames) {
    if (frames <= 0) throw new IllegalArgumentException("frame count must be positive: " + frames);
    Arena arena = Arena.ofShared();
    try {
      MemorySegment seg = arena.allocate((long) frames * FRAME_SIZE, FRAME_SIZE);
      return new FrameRegion(() -> {
        if (arena.scope().isAlive()) arena.close();
      }, seg, frames);
    } catch (RuntimeException | OutOfMemoryError e) {
      arena.close();
      throw e;
    }
  }

  /** The whole region (for registering it with an I/O engine). */
  public MemorySegment segment() {
    return segment;
  }

  public int frames() {
    return frames;
  }

  /** Frame {@code i}'s 4 KiB slice. */
  MemorySegment frame(int i) {
    return segment.asSlice((long) i * FRAME_SIZE, FRAME_SIZE);
  }

  /** Frees the memory; later accesses through any slice throw {@link IllegalStateException}. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    free.run();
  }
}
