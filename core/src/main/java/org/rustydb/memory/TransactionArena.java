package org.rustydb.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * A transaction's working memory: bump allocation in chunks, freed all at once by {@link #reset()} on
 * commit or abort (the spec's {@code TransactionArena}). Acquired from an {@link ArenaPool} for a
 * {@link TransactionProfile}; {@link #close()} gives the chunks back to the pool for the next transaction.
 *
 * <h2>Allocation</h2>
 * {@link #allocate(long, long)} bumps an offset in the current chunk (aligning it first); when the chunk
 * is too small it moves to the next kept chunk that fits, else adds a chunk twice the size of the last
 * one (at least the request), reserved from the {@link MemoryBudget}. The chunks of one arena never hold
 * more than the profile's limit: the allocation that would pass it fails with an
 * {@link OperationFailedException} (that transaction alone fails; the arena stays usable and its memory
 * is released by the reset that the abort does). Memory is zeroed when a chunk is first allocated, not
 * on reuse.
 *
 * <h2>Reset in O(1), and no use after it</h2>
 * {@link #reset()} sets the chunk index and offset to zero and keeps the chunks. Segments handed out
 * before a reset must not be used after it, and here they cannot be: each generation (the time between
 * two resets) has its own {@link Arena} scope, created at the generation's first allocation, and segments
 * are views of the chunks in that scope. Reset closes the scope, so an old segment throws
 * {@link IllegalStateException} ("Already closed") rather than reading another transaction's bytes. By
 * default the scope is confined to the thread that made the generation's first allocation: closing it
 * is a few tens of nanoseconds, and the segments (and {@link #reset()}) must be used by that thread
 * (another thread gets {@link WrongThreadException}, resp. {@link IllegalStateException}). An arena from
 * {@link ArenaPool#acquireShared} uses shared scopes instead: segments may be used from any thread, and a
 * reset costs a JVM thread handshake (microseconds).
 *
 * <p>Not thread-safe: one transaction, one thread at a time, as the spec's {@code &mut self}.
 */
public final class TransactionArena implements AutoCloseable {

  private final ArenaPool pool;
  private final TransactionProfile profile;
  private final boolean shared;
  private ArenaChunks chunks;
  private int current;
  private long offset;
  private long allocatedBytes;
  private Arena scope;
  private Thread scopeOwner;

  TransactionArena(ArenaPool pool, ArenaChunks chunks, boolean shared) {
    this.pool = pool;
    this.chunks = chunks;
    this.profile = chunks.profile;
    this.shared = shared;
  }

  public TransactionProfile profile() {
    return profile;
  }

  /** Whether segments of this arena may be used from any thread. */
  public boolean isShared() {
    return shared;
  }

  /** Allocates {@code size} bytes aligned to 8. */
  public MemorySegment allocate(long size) {
    return allocate(size, 8);
  }

  /**
   * Allocates {@code size} bytes aligned to {@code alignment} (a power of two), valid until the next
   * {@link #reset()} or {@link #close()}.
   *
   * @throws OperationFailedException when this would take the arena past its profile's limit, or the
   *     memory budget cannot cover a new chunk
   */
  public MemorySegment allocate(long size, long alignment) {
    if (chunks == null) throw new ClosedException("transaction arena");
    if (size < 0) throw new IllegalArgumentException("negative allocation size: " + size);
    Sizes.checkAlignment(alignment);
    if (scope == null) openScope();
    ArenaChunks.Chunk c = chunks.list[current];
    long start = Sizes.alignUp(c.address + offset, alignment) - c.address;
    if (start + size <= c.size && start + size >= start) {
      offset = start + size;
      allocatedBytes += size;
      return c.in(scope).asSlice(start, size);
    }
    return allocateInAnotherChunk(size, alignment);
  }

  private MemorySegment allocateInAnotherChunk(long size, long alignment) {
    for (int i = current + 1; i < chunks.count; i++) {
      ArenaChunks.Chunk c = chunks.list[i];
      long start = Sizes.alignUp(c.address, alignment) - c.address;
      if (start + size <= c.size) return take(i, c, start, size);
    }
    long needed = size + Math.max(alignment - ArenaChunks.CHUNK_ALIGNMENT, 0);
    long room = profile.limitBytes() - chunks.heldBytes;
    if (needed > room || needed < size) {
      throw new OperationFailedException("transaction arena limit reached: the " + profile + " profile allows "
          + Sizes.format(profile.limitBytes()) + " of working memory; this transaction holds "
          + Sizes.format(chunks.heldBytes) + " in " + chunks.count + " chunks, has used "
          + Sizes.format(allocatedBytes) + ", and asked for " + size + " more bytes (use a larger profile)");
    }
    long last = chunks.list[chunks.count - 1].size;
    long least = Math.min(Sizes.alignUp(needed, 4096), room);
    long want = Math.min(Math.max(last * 2, least), room);
    ArenaChunks.Chunk c = chunks.add(want, least);
    long start = Sizes.alignUp(c.address, alignment) - c.address;
    return take(chunks.count - 1, c, start, size);
  }

  private MemorySegment take(int index, ArenaChunks.Chunk c, long start, long size) {
    current = index;
    offset = start + size;
    allocatedBytes += size;
    return c.in(scope).asSlice(start, size);
  }

  /**
   * Frees everything allocated since the last reset, in O(1): every segment handed out becomes unusable,
   * the chunks stay for the next allocations.
   *
   * @throws IllegalStateException when called from another thread than the one that owns the current
   *     (confined) generation
   */
  public void reset() {
    if (chunks == null) throw new ClosedException("transaction arena");
    closeScope();
    current = 0;
    offset = 0;
    allocatedBytes = 0;
  }

  /** Bytes handed out since the last reset (without alignment padding). */
  public long allocatedBytes() {
    return allocatedBytes;
  }

  /** Bytes of chunk memory this arena holds (kept across resets). */
  public long heldBytes() {
    return chunks == null ? 0 : chunks.heldBytes;
  }

  /** Chunks held. */
  public int chunkCount() {
    return chunks == null ? 0 : chunks.count;
  }

  /** Resets and gives the chunks back to the pool; the arena is unusable afterwards. Idempotent. */
  @Override
  public void close() {
    if (chunks == null) return;
    closeScope();
    ArenaChunks c = chunks;
    chunks = null;
    pool.giveBack(c);
  }

  private void openScope() {
    if (shared) {
      scope = Arena.ofShared();
      scopeOwner = null;
    } else {
      scope = Arena.ofConfined();
      scopeOwner = Thread.currentThread();
    }
  }

  private void closeScope() {
    if (scope == null) return;
    if (scopeOwner != null && scopeOwner != Thread.currentThread()) {
      throw new IllegalStateException("this transaction arena's segments are confined to thread "
          + scopeOwner.getName() + "; reset or close it there (or acquire a shared arena)");
    }
    scope.close();
    scope = null;
    scopeOwner = null;
  }
}
