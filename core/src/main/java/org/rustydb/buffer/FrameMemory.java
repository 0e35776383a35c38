package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import org.rustydb.OperationFailedException;
import org.rustydb.memory.MemoryManager;

/**
 * The pool's side of the memory manager (docs/architecture.md, "Memory"): which frames have been handed back
 * with {@link MemoryManager#decommitFrames} and must be recommitted (a budget reservation that may fail)
 * before they hold a page again. Decommitted frames sit on their own stack, off the pool's free list, so a
 * frame is never used without its memory reserved. The stack is guarded by the pool's miss lock; the native
 * and budget calls are made without it.
 */
final class FrameMemory {

  private final MemoryManager manager;
  private final MemorySegment region;
  private final int[] decommitted;
  private int count; // under the pool's miss lock

  FrameMemory(MemoryManager manager, MemorySegment region, int frames) {
    this.manager = manager;
    this.region = region;
    this.decommitted = new int[frames];
  }

  /** Hands frames {@code [first, first + n)} back; returns the bytes released from the budget. */
  long decommit(int first, int n) {
    return manager.decommitFrames(region, (long) first * FrameRegion.FRAME_SIZE, (long) n * FrameRegion.FRAME_SIZE);
  }

  /** Reserves frame {@code index}'s memory again; false when the budget cannot cover it. */
  boolean recommit(int index) {
    try {
      manager.recommitFrames(region, (long) index * FrameRegion.FRAME_SIZE, FrameRegion.FRAME_SIZE);
      return true;
    } catch (OperationFailedException e) {
      return false;
    }
  }

  // ---- the stack (caller holds the miss lock)

  void push(int index) {
    decommitted[count++] = index;
  }

  /** A decommitted frame's index, or -1. */
  int pop() {
    return count == 0 ? -1 : decommitted[--count];
  }

  int count() {
    return count;
  }
}
