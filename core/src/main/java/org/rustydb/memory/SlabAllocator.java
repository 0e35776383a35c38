package org.rustydb.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * A slab allocator with a magazine layer for the engine's small hot objects (lock entries, version
 * records, tuple staging, memtable entries): blocks of the spec's nine size classes, 64 to 4096 bytes,
 * carved from large off-heap regions. The design is Bonwick and Adams, "Magazines and Vmem: Extending the
 * Slab Allocator to Many CPUs and Arbitrary Resources" (USENIX Annual Technical Conference, 2001), with
 * per-thread caches in place of per-CPU ones (Java has no cheap CPU id).
 *
 * <h2>Layers, from fast to slow</h2>
 * <ol>
 *   <li><b>Thread cache.</b> Each platform thread holds, per size class, a <i>loaded</i> and a
 *       <i>previous</i> magazine: stacks of up to 128 (classes up to 512 bytes) or 64 (larger) free block
 *       addresses. Allocation pops from the loaded magazine; free pushes onto it. When the loaded one is
 *       empty (allocation) or full (free) and the previous one is full (resp. empty) the two are swapped.
 *       Both cases touch no shared state: they are the fast path counted in {@code slab_fast_path_hits}.
 *       As in the paper, the previous magazine is always either full or empty, so a thread that
 *       alternates one allocation and one free at a magazine boundary does not go to the depot each time.</li>
 *   <li><b>Depot.</b> Per size class, under a lock: a list of full magazines and a list of empty ones.
 *       Allocation on an empty thread cache trades its empty previous magazine for a full one; free on a
 *       full cache trades its full previous magazine for an empty one (a new one is made on the heap when
 *       the depot has none).</li>
 *   <li><b>Slab layer.</b> When the depot has no full magazine, the loaded magazine is filled with fresh
 *       blocks carved from the class's current slab ({@link #DEFAULT_SLAB_BYTES}, a slice of a region); an
 *       exhausted slab is replaced by the next uncarved slab of the current region; when regions run out a
 *       new region ({@link #DEFAULT_REGION_BYTES}) is reserved from the {@link MemoryBudget} and allocated
 *       from this allocator's shared {@link Arena}.</li>
 * </ol>
 * Freed blocks go back to magazines and are reused; regions stay until {@link #close()} (a freed block
 * belongs to no slab any more, so slabs are not returned piecemeal: the memory stays counted against the
 * budget). The caches of threads that ended are adopted into the depot the next time a class runs dry.
 * Virtual threads would each get a cache; instead they share one cache under a lock.
 *
 * <h2>Safety</h2>
 * Blocks are handed out as {@link MemorySegment} slices of exactly the requested size, scoped to this
 * allocator's arena: out-of-bounds access is an {@link IndexOutOfBoundsException}, and after
 * {@link #close()} every block throws {@link IllegalStateException} on access (never a crash). Each block
 * has a state byte (per 64-byte granule of its region) that {@link #free} flips, so a double free is
 * detected (always, except two frees of one block racing on two threads; with {@code -ea} those too), and a segment that does not start a block of this allocator (wrong address, interior
 * pointer, other arena, larger than its block) is a foreign free: both are
 * {@link IllegalArgumentException}s. A freed block stays accessible until reused (it is still mapped, so
 * this is a bug in the caller, never a crash). Blocks are not zeroed on reuse.
 */
public final class SlabAllocator implements AutoCloseable {

  /** The spec's size classes: lock entries, page headers, version records, rows, index nodes, pages. */
  private static final int[] CLASSES = {64, 128, 192, 256, 384, 512, 1024, 2048, 4096};

  /** The largest slab allocation. */
  public static final int MAX_SIZE = 4096;

  public static final long DEFAULT_REGION_BYTES = 4 * Sizes.MiB;
  public static final int DEFAULT_SLAB_BYTES = 256 * 1024;

  private static final int GRAIN_SHIFT = 6;
  private static final byte FREE = 0;
  private static final byte ALLOCATED = 1;
  private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);
  /** Atomic double-free detection when assertions are enabled for this class (see markFree). */
  private static final boolean ATOMIC_STATE = SlabAllocator.class.desiredAssertionStatus();
  /** Size class index for {@code (size - 1) >>> 6}. */
  private static final byte[] CLASS_OF = new byte[MAX_SIZE >>> GRAIN_SHIFT];

  static {
    for (int i = 0; i < CLASS_OF.length; i++) {
      int size = (i + 1) << GRAIN_SHIFT;
      int c = 0;
      while (CLASSES[c] < size) c++;
      CLASS_OF[i] = (byte) c;
    }
  }

  private final MemoryBudget budget;
  private final long regionBytes;
  private final int slabBytes;
  private final int slabShift;
  private final Arena arena = Arena.ofShared();
  /** All of memory, scoped to {@link #arena}: blocks are slices of it, so they die with the arena. */
  private final MemorySegment everything;
  private final SizeClass[] classes = new SizeClass[CLASSES.length];
  private final ThreadLocal<Local> caches = ThreadLocal.withInitial(this::newLocal);
  private final ConcurrentLinkedQueue<Local> threadCaches = new ConcurrentLinkedQueue<>();
  /** The one cache of all virtual threads, used under {@link #sharedLock}. */
  private final Local sharedCache;
  private final ReentrantLock sharedLock = new ReentrantLock();
  private final AtomicLong retiredFastHits = new AtomicLong();
  private final AtomicLong retiredAllocations = new AtomicLong();
  private final AtomicLong retiredBytes = new AtomicLong();

  private final ReentrantLock growLock = new ReentrantLock();
  /** Every region, sorted by base address; replaced (never mutated) under growLock. */
  private volatile Region[] regions = new Region[0];
  private final ArrayDeque<Region> uncarved = new ArrayDeque<>();
  private Region carving;
  private int nextSlab;
  private volatile boolean closed;

  /** A slab allocator with 4 MiB regions of 256 KiB slabs. */
  public SlabAllocator(MemoryBudget budget) {
    this(budget, DEFAULT_REGION_BYTES, DEFAULT_SLAB_BYTES);
  }

  /**
   * @param regionBytes bytes reserved from the budget and allocated at a time; a multiple of slabBytes
   * @param slabBytes bytes given to one size class at a time; a power of two from 4096 to 1 GiB
   */
  public SlabAllocator(MemoryBudget budget, long regionBytes, int slabBytes) {
    if (budget == null) throw new IllegalArgumentException("budget is required");
    if (!Sizes.isPowerOfTwo(slabBytes) || slabBytes < MAX_SIZE || slabBytes > (1 << 30)) {
      throw new IllegalArgumentException("slab size must be a power of two from 4096 to 1 GiB: " + slabBytes);
    }
    if (regionBytes < slabBytes || regionBytes % slabBytes != 0 || regionBytes / slabBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("region size must be a multiple of the slab size " + slabBytes + ": " + regionBytes);
    }
    this.budget = budget;
    this.regionBytes = regionBytes;
    this.slabBytes = slabBytes;
    this.slabShift = Integer.numberOfTrailingZeros(slabBytes);
    this.everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE, arena, null);
    for (int c = 0; c < CLASSES.length; c++) {
      classes[c] = new SizeClass(CLASSES[c], CLASSES[c] <= 512 ? 128 : 64, slabBytes / CLASSES[c]);
    }
    this.sharedCache = new Local(null);
  }

  /** The size classes, smallest first. */
  public static int[] sizeClasses() {
    return CLASSES.clone();
  }

  /** The size class (block size) that serves a request of {@code size} bytes. */
  public static int sizeClassOf(long size) {
    checkSize(size);
    return CLASSES[CLASS_OF[(int) (size - 1) >>> GRAIN_SHIFT]];
  }

  /**
   * Allocates a block for {@code size} bytes (1 to {@value #MAX_SIZE}), aligned to 64 bytes, not zeroed.
   *
   * @throws OperationFailedException when a new region is needed and the memory budget cannot cover it
   */
  public MemorySegment allocate(long size) {
    checkSize(size);
    if (closed) throw new ClosedException("slab allocator");
    int c = CLASS_OF[(int) (size - 1) >>> GRAIN_SHIFT];
    long address;
    if (Thread.currentThread().isVirtual()) {
      sharedLock.lock();
      try {
        address = allocateFrom(sharedCache, c);
      } finally {
        sharedLock.unlock();
      }
    } else {
      address = allocateFrom(caches.get(), c);
    }
    return everything.asSlice(address, size);
  }

  /**
   * Returns a block. {@code block} must be a segment returned by {@link #allocate} (or a slice of it that
   * starts at its first byte).
   *
   * @throws IllegalArgumentException on a double free or a segment that is not a block of this allocator
   */
  public void free(MemorySegment block) {
    if (block == null) throw new IllegalArgumentException("block is null");
    if (closed) throw new ClosedException("slab allocator");
    long address = block.address();
    boolean virtual = Thread.currentThread().isVirtual();
    Local tc = virtual ? null : caches.get();
    Region r = tc == null ? find(address) : regionOf(tc, address);
    int c = classOfBlock(r, address);
    if (block.byteSize() > CLASSES[c] || !block.scope().equals(everything.scope())) {
      throw foreign(address, "it is not a segment this allocator handed out");
    }
    markFree(r, address, c);
    if (virtual) {
      sharedLock.lock();
      try {
        freeTo(sharedCache, c, address);
      } finally {
        sharedLock.unlock();
      }
    } else {
      freeTo(tc, c, address);
    }
  }

  /**
   * The calling thread's cache as a handle, for hot paths that keep it (a worker's lock-table or memtable
   * code): its {@link Local#allocate} and {@link Local#free} work on block addresses and skip the
   * thread-local lookup and the segment object of {@link #allocate}. A virtual thread gets magazines of its
   * own this way (adopted by the depot after it ends).
   */
  public Local local() {
    if (closed) throw new ClosedException("slab allocator");
    return caches.get();
  }

  /**
   * A bounds-checked view of {@code size} bytes of the live block at {@code address} (from
   * {@link Local#allocate}).
   *
   * @throws IllegalArgumentException when {@code address} is not a live block or {@code size} exceeds it
   */
  public MemorySegment segment(long address, long size) {
    if (closed) throw new ClosedException("slab allocator");
    Region r = find(address);
    int c = classOfBlock(r, address);
    if (size < 0 || size > CLASSES[c]) {
      throw new IllegalArgumentException(size + " bytes do not fit the " + CLASSES[c] + "-byte block at 0x"
          + Long.toHexString(address));
    }
    if ((byte) STATE.getVolatile(r.state, (int) ((address - r.base) >>> GRAIN_SHIFT)) != ALLOCATED) {
      throw new IllegalArgumentException("the slab block at 0x" + Long.toHexString(address) + " is not allocated");
    }
    return everything.asSlice(address, size);
  }

  /** The size class of the block starting at {@code address} in {@code r}; foreign free if there is none. */
  private int classOfBlock(Region r, long address) {
    if (r == null) throw foreign(address, "it lies outside every slab region");
    long offset = address - r.base;
    int c = r.slabClass[(int) (offset >>> slabShift)];
    if (c < 0) throw foreign(address, "it lies in a part of a region not carved into slabs");
    SizeClass sc = classes[c];
    long inSlab = offset & (slabBytes - 1);
    // inSlab / size without a division (tens of cycles): multiply by the reciprocal of size / 64.
    long granule = inSlab >>> GRAIN_SHIFT;
    long index = (granule * sc.reciprocal) >>> 32;
    if ((inSlab & ((1 << GRAIN_SHIFT) - 1)) != 0 || index * sc.granules != granule || index >= sc.blocksPerSlab) {
      throw foreign(address, "it does not start a " + sc.size + "-byte block");
    }
    return c;
  }

  /**
   * Flips the block's state to free and fails on a double free. Always on, with plain loads and stores
   * (an atomic swap costs a third of the fast path): every double free is caught except two frees of
   * one block racing at the same instant on two threads. With assertions enabled ({@code -ea}, as in
   * tests) the swap is atomic and catches those too.
   */
  private static void markFree(Region r, long address, int c) {
    int i = (int) ((address - r.base) >>> GRAIN_SHIFT);
    byte was;
    if (ATOMIC_STATE) {
      was = (byte) STATE.getAndSet(r.state, i, FREE);
    } else {
      was = r.state[i];
      r.state[i] = FREE;
    }
    if (was != ALLOCATED) {
      if (!ATOMIC_STATE) r.state[i] = was;
      throw new IllegalArgumentException(
          "double free of the " + CLASSES[c] + "-byte slab block at 0x" + Long.toHexString(address));
    }
  }

  // ---- thread cache (magazine layer) ----

  private long allocateFrom(Local tc, int c) {
    Magazine m = tc.loaded[c];
    long address;
    if (m.count > 0) {
      address = m.rounds[--m.count];
      tc.fastHits++;
    } else {
      address = allocateSlow(tc, c);
    }
    Region r = regionOf(tc, address);
    r.state[(int) ((address - r.base) >>> GRAIN_SHIFT)] = ALLOCATED;
    tc.allocations++;
    tc.bytesInUse += CLASSES[c];
    return address;
  }

  private void freeTo(Local tc, int c, long address) {
    Magazine m = tc.loaded[c];
    if (m.count < m.rounds.length) {
      m.rounds[m.count++] = address;
    } else {
      freeSlow(tc, c, address);
    }
    tc.bytesInUse -= CLASSES[c];
  }

  private long allocateSlow(Local tc, int c) {
    Magazine loaded = tc.loaded[c];
    Magazine previous = tc.previous[c];
    if (previous.count > 0) { // previous is full: swap, still no shared state touched
      tc.loaded[c] = previous;
      tc.previous[c] = loaded;
      tc.fastHits++;
      return previous.rounds[--previous.count];
    }
    SizeClass sc = classes[c];
    boolean adopted = false;
    while (true) {
      sc.lock.lock();
      try {
        Magazine full = sc.full.pollFirst();
        if (full != null) { // depot: give back the empty previous, load the full one
          sc.empty.push(previous);
          tc.previous[c] = loaded;
          tc.loaded[c] = full;
          return full.rounds[--full.count];
        }
        if (carve(sc, c, loaded) > 0) return loaded.rounds[--loaded.count];
      } finally {
        sc.lock.unlock();
      }
      // Depot and slabs are dry: first adopt magazines of threads that ended, then grow by a region.
      if (!adopted) {
        adopted = true;
        if (adoptDeadLocals() > 0) continue;
      }
      addRegion();
    }
  }

  private void freeSlow(Local tc, int c, long address) {
    Magazine loaded = tc.loaded[c];
    Magazine previous = tc.previous[c];
    if (previous.count == 0) { // previous is empty: swap
      tc.loaded[c] = previous;
      tc.previous[c] = loaded;
      previous.rounds[previous.count++] = address;
      return;
    }
    SizeClass sc = classes[c];
    Magazine empty;
    sc.lock.lock();
    try { // depot: give back the full previous, load an empty one
      empty = sc.empty.pollFirst();
      if (empty == null) empty = new Magazine(sc.capacity);
      sc.full.push(previous);
    } finally {
      sc.lock.unlock();
    }
    tc.previous[c] = loaded;
    tc.loaded[c] = empty;
    empty.rounds[empty.count++] = address;
  }

  // ---- slab layer ----

  /** Fills {@code m} with fresh blocks of class {@code c} (under the class lock). Returns how many. */
  private int carve(SizeClass sc, int c, Magazine m) {
    while (m.count < m.rounds.length) {
      if (sc.carveNext + sc.size <= sc.carveEnd) {
        m.rounds[m.count++] = sc.carveNext;
        sc.carveNext += sc.size;
      } else if (!takeSlab(sc, c)) {
        break;
      }
    }
    return m.count;
  }

  /** Gives class {@code c} the next uncarved slab, if some region has one. */
  private boolean takeSlab(SizeClass sc, int c) {
    growLock.lock();
    try {
      while (carving == null || nextSlab == carving.slabClass.length) {
        carving = uncarved.pollFirst();
        nextSlab = 0;
        if (carving == null) return false;
      }
      int index = nextSlab++;
      carving.slabClass[index] = (byte) c;
      long base = carving.base + ((long) index << slabShift);
      sc.carveNext = base;
      sc.carveEnd = base + (long) sc.blocksPerSlab * sc.size;
      return true;
    } finally {
      growLock.unlock();
    }
  }

  /** Reserves and allocates one more region (called with no lock held: reclaimers may run). */
  private void addRegion() {
    budget.reserve(regionBytes, "slab region");
    growLock.lock();
    try {
      if (closed) {
        budget.release(regionBytes);
        throw new ClosedException("slab allocator");
      }
      MemorySegment memory;
      try {
        memory = arena.allocate(regionBytes, MAX_SIZE);
      } catch (OutOfMemoryError e) {
        budget.release(regionBytes);
        throw new OperationFailedException("cannot allocate a slab region of " + Sizes.format(regionBytes), e);
      }
      Region r = new Region(memory.address(), (int) (regionBytes / slabBytes), (int) (regionBytes >>> GRAIN_SHIFT));
      Region[] next = Arrays.copyOf(regions, regions.length + 1);
      int i = next.length - 1;
      while (i > 0 && next[i - 1].base > r.base) {
        next[i] = next[i - 1];
        i--;
      }
      next[i] = r;
      regions = next;
      uncarved.addLast(r);
    } finally {
      growLock.unlock();
    }
  }

  private int adoptDeadLocals() {
    int adopted = 0;
    for (Local tc : threadCaches) {
      if (tc.owner.isAlive() || !threadCaches.remove(tc)) continue;
      // The owner ended (its last action happens-before isAlive() returned false) and we removed it: ours.
      for (int c = 0; c < classes.length; c++) {
        SizeClass sc = classes[c];
        sc.lock.lock();
        try {
          for (Magazine m : new Magazine[] {tc.loaded[c], tc.previous[c]}) {
            if (m.count > 0) {
              sc.full.push(m);
              adopted++;
            } else {
              sc.empty.push(m);
            }
          }
        } finally {
          sc.lock.unlock();
        }
      }
      retiredFastHits.addAndGet(tc.fastHits);
      retiredAllocations.addAndGet(tc.allocations);
      retiredBytes.addAndGet(tc.bytesInUse);
    }
    return adopted;
  }

  private Local newLocal() {
    Local tc = new Local(Thread.currentThread());
    threadCaches.add(tc);
    return tc;
  }

  private Region regionOf(Local tc, long address) {
    Region r = tc.lastRegion;
    if (r != null && Long.compareUnsigned(address - r.base, regionBytes) < 0) return r;
    r = find(address);
    if (r != null) tc.lastRegion = r;
    return r;
  }

  /** The region holding {@code address}, or null (binary search over the few regions). */
  private Region find(long address) {
    Region[] rs = regions;
    int lo = 0;
    int hi = rs.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Region r = rs[mid];
      if (address < r.base) {
        hi = mid - 1;
      } else if (address - r.base >= regionBytes) {
        lo = mid + 1;
      } else {
        return r;
      }
    }
    return null;
  }

  private static IllegalArgumentException foreign(long address, String why) {
    return new IllegalArgumentException("foreign free: the block at 0x" + Long.toHexString(address)
        + " was not allocated by this slab allocator: " + why);
  }

  private static void checkSize(long size) {
    if (size <= 0 || size > MAX_SIZE) {
      throw new IllegalArgumentException("slab allocations are 1 to " + MAX_SIZE + " bytes, not " + size
          + "; use a TransactionArena or the LargeObjectAllocator");
    }
  }

  // ---- statistics ----

  /** Bytes in blocks handed out and not freed (counted at their class size). */
  public long allocatedBytes() {
    long sum = retiredBytes.get() + sharedCache.bytesInUse;
    for (Local tc : threadCaches) sum += tc.bytesInUse;
    return sum;
  }

  /** Bytes of regions not in handed-out blocks: in magazines, in slabs, not yet carved. */
  public long freeBytes() {
    return reservedBytes() - allocatedBytes();
  }

  /** Bytes of regions (reserved from the budget). */
  public long reservedBytes() {
    return closed ? 0 : regions.length * regionBytes;
  }

  /** Allocations served from the thread's own magazines without touching the depot. */
  public long fastPathHits() {
    long sum = retiredFastHits.get() + sharedCache.fastHits;
    for (Local tc : threadCaches) sum += tc.fastHits;
    return sum;
  }

  /** Allocations in all. */
  public long allocations() {
    long sum = retiredAllocations.get() + sharedCache.allocations;
    for (Local tc : threadCaches) sum += tc.allocations;
    return sum;
  }

  /**
   * Frees every region: every block handed out throws {@link IllegalStateException} on access from now
   * on, and this allocator throws {@link ClosedException}. Idempotent.
   */
  @Override
  public void close() {
    long reserved;
    growLock.lock();
    try {
      if (closed) return;
      closed = true;
      reserved = regions.length * regionBytes;
    } finally {
      growLock.unlock();
    }
    try {
      arena.close();
    } catch (IllegalStateException e) {
      throw new OperationFailedException("slab allocator cannot free its regions while a native call uses a block", e);
    }
    budget.release(reserved);
  }

  /** A stack of free block addresses. */
  private static final class Magazine {
    final long[] rounds;
    int count;

    Magazine(int capacity) {
      rounds = new long[capacity];
    }
  }

  /**
   * One thread's magazines and counters, written only by its owner (or, for the virtual threads' shared
   * cache, under sharedLock). As a handle ({@link #local()}) it allocates and frees block addresses.
   */
  public final class Local {
    private final Thread owner;
    final Magazine[] loaded = new Magazine[CLASSES.length];
    final Magazine[] previous = new Magazine[CLASSES.length];
    Region lastRegion;
    long fastHits;
    long allocations;
    /** Class bytes allocated minus freed by this thread; may be negative, the sum over threads is not. */
    long bytesInUse;

    Local(Thread owner) {
      this.owner = owner;
      for (int c = 0; c < CLASSES.length; c++) {
        loaded[c] = new Magazine(classes[c].capacity);
        previous[c] = new Magazine(classes[c].capacity);
      }
    }

    /**
     * Allocates a block for {@code size} bytes (1 to {@value #MAX_SIZE}) and returns its address; see
     * {@link SlabAllocator#segment} for access.
     *
     * @throws WrongThreadException when called from another thread than the one this cache belongs to
     */
    public long allocate(long size) {
      checkSize(size);
      checkOwner();
      if (closed) throw new ClosedException("slab allocator");
      return allocateFrom(this, CLASS_OF[(int) (size - 1) >>> GRAIN_SHIFT]);
    }

    /**
     * Frees the block at {@code address} (from any thread's {@link #allocate} of this allocator).
     *
     * @throws IllegalArgumentException on a double free or an address that does not start a block
     */
    public void free(long address) {
      checkOwner();
      if (closed) throw new ClosedException("slab allocator");
      Region r = regionOf(this, address);
      int c = classOfBlock(r, address);
      markFree(r, address, c);
      freeTo(this, c, address);
    }

    private void checkOwner() {
      if (owner != Thread.currentThread()) {
        throw new WrongThreadException("this slab cache belongs to thread " + owner.getName());
      }
    }
  }

  /** The depot and slab-carving state of one size class; guarded by {@link #lock}. */
  private static final class SizeClass {
    final int size;
    final int capacity;
    final int blocksPerSlab;
    /** size / 64, and ceil(2^32 / that): exact division of granule numbers below 2^24 by multiplication. */
    final long granules;
    final long reciprocal;
    final ReentrantLock lock = new ReentrantLock();
    final ArrayDeque<Magazine> full = new ArrayDeque<>();
    final ArrayDeque<Magazine> empty = new ArrayDeque<>();
    long carveNext;
    long carveEnd;

    SizeClass(int size, int capacity, int blocksPerSlab) {
      this.size = size;
      this.capacity = capacity;
      this.blocksPerSlab = blocksPerSlab;
      this.granules = size >>> GRAIN_SHIFT;
      this.reciprocal = ((1L << 32) + granules - 1) / granules;
    }
  }

  /** A region: its slabs' size classes (-1 uncarved) and a state byte per 64-byte granule. */
  private static final class Region {
    final long base;
    final byte[] slabClass;
    final byte[] state;

    Region(long base, int slabs, int granules) {
      this.base = base;
      this.slabClass = new byte[slabs];
      Arrays.fill(slabClass, (byte) -1);
      this.state = new byte[granules];
    }
  }
}
