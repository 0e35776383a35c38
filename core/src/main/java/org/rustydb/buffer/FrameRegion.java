package org.rustydb.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.rustydb.disk.PageFileStore;

/**
 * The pool's page memory: one off-heap region of {@code frames * 4096} bytes, 4096-aligned, so that O_DIRECT
 * reads and io_uring fixed buffers can use the frames with no copy. This is the one place that allocates it:
 * when the memory manager's large-object allocator lands it replaces {@link #allocate}, and an io_uring engine
 * registers {@link #segment()} (reachable through {@code BufferPool.frameRegion()}) as its fixed buffers.
 */
public final class FrameRegion implements AutoCloseable {

  public static final int FRAME_SIZE = PageFileStore.PAGE_SIZE;

  private final Arena arena;
  private final MemorySegment segment;
  private final int frames;

  private FrameRegion(Arena arena, MemorySegment segment, int frames) {
    this.arena = arena;
    this.segment = segment;
    this.frames = frames;
  }

  /** A zeroed region of {@code frames} 4 KiB frames in a shared arena (any thread may use it). */
  public static FrameRegion allocate(int frames) {
    if (frames <= 0) throw new IllegalArgumentException("frame count must be positive: " + frames);
    Arena arena = Arena.ofShared();
    try {
      MemorySegment seg = arena.allocate((long) frames * FRAME_SIZE, FRAME_SIZE);
      return new FrameRegion(arena, seg, frames);
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
  public void close() {
    if (arena.scope().isAlive()) arena.close();
  }
}
