package org.rustydb.buffer;

import java.util.Arrays;
import org.rustydb.memory.MemoryReclaimer;
import org.rustydb.memory.ReclaimUrgency;

/**
 * The buffer pool as a {@link MemoryReclaimer}: shrinks the pool when the budget or the pressure forecaster
 * asks. {@link ReclaimUrgency#GENTLE} and {@link ReclaimUrgency#AGGRESSIVE} give back free frames and clean
 * unpinned ones (no I/O: the budget calls on an allocating thread); {@link ReclaimUrgency#EMERGENCY} first
 * writes the dirty unpinned pages (through the pool's combined write path, WAL hook included) so that they
 * can go too. Frames given back are decommitted ({@code madvise(MADV_DONTNEED)}) and their bytes return to
 * the budget; the pool recommits a frame before it reuses it and evicts instead when the budget says no.
 *
 * <p>The pool keeps at least {@link #minFrames} frames committed (1/16 of its frames, at least 8), so that it
 * can still work at its smallest. Which clean frames: a clock sweep over the frames, not the replacement policy's order (the policy has
 * no "give me a victim" call outside admission); it skips pinned, loading, dirty and in-flight frames.
 */
final class FrameReclaimer implements MemoryReclaimer {

  private static final System.Logger LOG = System.getLogger(FrameReclaimer.class.getName());

  private final BufferPool pool;
  private final FrameMemory memory;
  /** Set when the OS refused to decommit (explicit huge pages): evicting for nothing helps no one. */
  private volatile boolean cannotDecommit;

  /** The pool never shrinks below this many committed frames: it must still be able to work. */
  static int minFrames(int capacity) {
    return Math.min(capacity, Math.max(8, capacity / 16));
  }

  FrameReclaimer(BufferPool pool, FrameMemory memory) {
    this.pool = pool;
    this.memory = memory;
  }

  @Override
  public long reclaim(long bytesWanted, ReclaimUrgency urgency) {
    if (bytesWanted <= 0 || cannotDecommit || pool.isClosed() || pool.missLockHeldByCurrentThread()) return 0;
    if (urgency == ReclaimUrgency.EMERGENCY) {
      try {
        pool.flushDirtyForReclaim();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "emergency reclaim: writing dirty pages failed; giving back clean ones only", e);
      }
    }
    int want = (int) Math.min(pool.capacity(), (bytesWanted + FrameRegion.FRAME_SIZE - 1) / FrameRegion.FRAME_SIZE);
    int[] detached = new int[want];
    int n = pool.detachCleanFrames(detached, want);
    if (n == 0) return 0;
    Arrays.sort(detached, 0, n);
    long released = 0;
    boolean[] ok = new boolean[n];
    int start = 0;
    while (start < n) {
      int end = start + 1;
      while (end < n && detached[end] == detached[end - 1] + 1) end++;
      try {
        released += memory.decommit(detached[start], end - start);
        Arrays.fill(ok, start, end, true);
      } catch (org.rustydb.OperationFailedException e) { // madvise refused (explicit huge pages): frames stay
        cannotDecommit = true;
        LOG.log(System.Logger.Level.WARNING, "the buffer pool cannot give frames back to the memory budget: {0}",
            e.getMessage());
      } catch (RuntimeException e) { // the pool or the manager closed meanwhile
        LOG.log(System.Logger.Level.DEBUG, "decommitting {0} frames failed: {1}", end - start, e.toString());
      }
      start = end;
    }
    pool.reattachFrames(detached, ok, n);
    return released;
  }
}
