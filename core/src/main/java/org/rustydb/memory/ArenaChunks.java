package org.rustydb.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.rustydb.OperationFailedException;

/**
 * The chunks of one transaction arena: what the {@link ArenaPool} keeps between transactions. Each chunk
 * is allocated from its own shared {@link Arena} (freed only by {@link #dispose}, when no generation scope
 * of a {@link TransactionArena} can still reach it) and reserved from the budget. Used by one thread at a
 * time (the arena that holds it, or the pool under its lock).
 */
final class ArenaChunks {

  /** Chunk bases are cache-line aligned; larger alignments are met by padding. */
  static final long CHUNK_ALIGNMENT = 64;

  final TransactionProfile profile;
  private final MemoryBudget budget;
  private final AtomicLong poolHeld;
  Chunk[] list = new Chunk[4];
  int count;
  long heldBytes;

  ArenaChunks(TransactionProfile profile, MemoryBudget budget, AtomicLong poolHeld) {
    this.profile = profile;
    this.budget = budget;
    this.poolHeld = poolHeld;
  }

  /** Reserves and allocates one more chunk of {@code size} bytes at the end of the list. */
  Chunk add(long size) {
    return add(size, size);
  }

  /**
   * Adds a chunk of {@code size} bytes, or of {@code minimum} bytes when the budget has room for that
   * but not for {@code size} (the arena asks for what it needs rather than fail under pressure).
   */
  Chunk add(long preferred, long minimum) {
    long size;
    if (budget.tryReserve(preferred)) {
      size = preferred;
    } else if (minimum < preferred && budget.tryReserve(minimum)) {
      size = minimum;
    } else {
      budget.reserve(minimum, "transaction arena chunk (" + profile + " profile)");
      size = minimum;
    }
    Arena memory = Arena.ofShared();
    MemorySegment raw;
    try {
      raw = memory.allocate(size, CHUNK_ALIGNMENT);
    } catch (OutOfMemoryError | RuntimeException e) {
      memory.close();
      budget.release(size);
      throw new OperationFailedException("cannot allocate a transaction arena chunk of " + Sizes.format(size), e);
    }
    Chunk c = new Chunk(memory, raw);
    if (count == list.length) list = Arrays.copyOf(list, count * 2);
    list[count++] = c;
    heldBytes += size;
    poolHeld.addAndGet(size);
    return c;
  }

  /** Frees every chunk and releases the budget. No generation scope may be open. */
  void dispose() {
    for (int i = 0; i < count; i++) {
      Chunk c = list[i];
      c.memory.close();
      budget.release(c.size);
      poolHeld.addAndGet(-c.size);
      list[i] = null;
    }
    count = 0;
    heldBytes = 0;
  }

  /** One chunk: its memory, and its view in the current generation's scope (rebuilt once per generation). */
  static final class Chunk {
    final Arena memory;
    final MemorySegment raw;
    final long address;
    final long size;
    Arena scopedFor;
    MemorySegment scoped;

    Chunk(Arena memory, MemorySegment raw) {
      this.memory = memory;
      this.raw = raw;
      this.address = raw.address();
      this.size = raw.byteSize();
    }

    /** This chunk's bytes, scoped to {@code scope}: unusable once that scope closes. */
    MemorySegment in(Arena scope) {
      if (scopedFor != scope) {
        scoped = raw.reinterpret(scope, null);
        scopedFor = scope;
      }
      return scoped;
    }
  }
}
