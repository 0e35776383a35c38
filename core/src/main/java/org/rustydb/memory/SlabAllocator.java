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
 *   <li><b>Thread cache.</b> Each thread holds, per size class, a stack of free block addresses two
 *       magazines deep (a magazine is 128 blocks for classes up to 512 bytes, 64 above): the paper's
 *       <i>loaded</i> and <i>previous</i> magazines laid end to end in one {@code long[]}, so that the
 *       swap of the two is free and a thread alternating allocations and frees at a magazine boundary
 *       never goes to the depot. Allocation pops, free pushes: a few plain loads and stores on the
 *       thread's own arrays, no lock, no atomic, no object. This is the fast path counted in
 *       {@code slab_fast_path_hits}.</li>
 *   <li><b>Depot.</b> Per size class, under a lock: a stack of free block addresses that the threads
 *       exchange whole magazines with. An allocation on an empty thread stack takes one magazine's worth
 *       (copied into the thread's stack); a free on a full one gives its older magazine's worth and keeps
 *       the newer (cache-warm) one. So a thread touches shared state at most once per magazine of
 *       operations.</li>
 *   <li><b>Slab layer.</b> When the depot is empty, the thread's stack is filled with fresh blocks
 *       carved from the class's current slab ({@link #DEFAULT_SLAB_BYTES}, a slice of a region); an
 *       exhausted slab is replaced by the next uncarved slab of the current region; when regions run out a
 *       new region ({@link #DEFAULT_REGION_BYTES}) is reserved from the {@link MemoryBudget} and allocated
 *       from this allocator's shared {@link Arena}.</li>
 * </ol>
 * Freed blocks go back to magazines and are reused; regions stay until {@link #close()} (a freed block
 * belongs to no slab any more, so slabs are not returned piecemeal: the memory stays counted against the
 * budget, whose accounting is therefore exact per region). The caches of threads that ended are adopted
 * into the depot the next time a class runs dry. Virtual threads using the segment API share one cache
 * under a lock; {@link #local()} gives any thread, virtual ones included, a cache of its own.
 *
 * <h2>Two APIs</h2>
 * {@link #allocate} and {@link #free} work from any thread on {@link MemorySegment}s: a thread-local
 * lookup per call and a segment object per block. {@link #local()} returns the calling thread's cache as a
 * handle for hot paths that keep it: {@link Local#allocate} and {@link Local#free} work on raw block
 * addresses, and {@link #segment(long, long)} makes a checked view only where one is needed.
 *
 * <h2>Safety</h2>
 * Segments are slices of exactly the requested size, scoped to this allocator's arena: out-of-bounds
 * access is an {@link IndexOutOfBoundsException}, and after {@link #close()} every block throws
 * {@link IllegalStateException} on access (never a crash). Each region has a state byte per 64-byte
 * granule saying whether a block starts there, its size class, and whether it is allocated; every free
 * checks and flips it, so a double free is detected (always, except two frees of one block racing on two
 * threads; with {@code -ea} those too), and an address that does not start a block of this allocator
 * (wrong address, interior pointer, uncarved memory; for segments also another arena, or larger than the
 * block) is a foreign free: both are {@link IllegalArgumentException}s and change nothing. The same byte
 * gives {@code free} the block's size class, so the check costs one load and one store. A freed block
 * stays accessible until reused (it is still mapped, so this is a bug in the caller, never a crash).
 * Blocks are not zeroed on reuse.
 */
public final class SlabAllocator implements AutoCloseable {

  /** The spec's size classes: lock entries, page headers, version records, rows, index nodes, pages. */
  private static final int[] CLASSES = {64, 128, 192, 256, 384, 512, 1024, 2048, 4096};

  /** The largest slab allocation. */
  public static final int MAX_SIZE = 4096;

  public static final long DEFAULT_REGION_BYTES = 4 * Sizes.MiB;
  public static final int DEFAULT_SLAB_BYTES = 256 * 1024;

  private static final int GRAIN_SHIFT = 6;
  private static final long GRAIN_MASK = (1 << GRAIN_SHIFT) - 1;
  /** Magazine size: 128 blocks for the classes below this index (up to 512 bytes), 64 from it on. */
  private static final int FIRST_SMALL_MAGAZINE_CLASS = 6;
  private static final int LARGE_MAGAZINE = 128;
  private static final int SMALL_MAGAZINE = 64;
  /** A thread's stack for class c starts at {@code c << STACK_SHIFT}: room for two large magazines. */
  private static final int STACK_SHIFT = 8;

  // The state byte of a 64-byte granule of a region:
  //   0                      no block starts here (inside a block, a slab's tail, not yet carved)
  //   c + 1                  a free block of size class c starts here (in a cache, the depot)
  //   ALLOCATED | (c + 1)    a block of class c starts here and is handed out (negative as a byte)
  private static final int ALLOCATED = 0x80;
  private static final int CLASS_BITS = 0x0f;
  private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);
  /** Atomic double-free detection when assertions are enabled for this class (see Local#freeBlock). */
  private static final boolean ATOMIC_STATE = SlabAllocator.class.desiredAssertionStatus();
  /** Size class index for {@code (size - 1) >>> 6}. */
  private static final byte[] CLASS_OF = new byte[MAX_SIZE >>> GRAIN_SHIFT];
  private static final byte[] NO_REGION = new byte[0];

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
  /** Caches of platform threads by thread id modulo the length; see {@link #platformLocal()}. */
  private final Local[] byThread = new Local[64];
  private final ConcurrentLinkedQueue<Local> threadCaches = new ConcurrentLinkedQueue<>();
  /** The one cache of all virtual threads using the segment API, used under {@link #sharedLock}. */
  private final Local sharedCache;
  private final ReentrantLock sharedLock = new ReentrantLock();
  private final AtomicLong retiredAllocations = new AtomicLong();
  private final AtomicLong retiredSlowAllocations = new AtomicLong();
  private final AtomicLong retiredBytes = new AtomicLong();

  private final ReentrantLock growLock = new ReentrantLock();
  /** Every region, sorted by base address; replaced (never mutated) under growLock. */
  private volatile Region[] regions = new Region[0];
  private final ArrayDeque<Region> uncarved = new ArrayDeque<>();
  private Region carving;
  private int nextSlab;
  /**
   * Set once by {@link #close()}. The slow paths and the segment API read it as a volatile; the magazine
   * fast paths read it plainly ({@link #isClosed()}), which is what lets the JIT keep a hot loop's loads of
   * the cache's arrays in registers (a volatile read costs a third of the fast path). A thread whose use
   * of the allocator is ordered after close() (a join, a latch, a lock) sees it; one racing with close()
   * may still be served from its own magazine, which touches only heap arrays: the block's memory is gone
   * with the arena, and every access to it (segments, {@link #segment}) fails, never crashes.
   */
  private volatile boolean closed;

  private static final VarHandle CLOSED;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(SlabAllocator.class, "closed", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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
    if (regionBytes < slabBytes || regionBytes % slabBytes != 0 || regionBytes / slabBytes > Integer.MAX_VALUE
        || (regionBytes >>> GRAIN_SHIFT) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("region size must be a multiple of the slab size " + slabBytes
          + " and below 128 GiB: " + regionBytes);
    }
    this.budget = budget;
    this.regionBytes = regionBytes;
    this.slabBytes = slabBytes;
    this.slabShift = Integer.numberOfTrailingZeros(slabBytes);
    this.everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE, arena, null);
    for (int c = 0; c < CLASSES.length; c++) {
      classes[c] = new SizeClass(CLASSES[c], magazineSize(c), slabBytes / CLASSES[c]);
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

  /** Blocks per magazine of class index {@code c}. */
  private static int magazineSize(int c) {
    return c < FIRST_SMALL_MAGAZINE_CLASS ? LARGE_MAGAZINE : SMALL_MAGAZINE;
  }

  /**
   * Allocates a block for {@code size} bytes (1 to {@value #MAX_SIZE}), aligned to 64 bytes, not zeroed.
   *
   * @throws OperationFailedException when a new region is needed and the memory budget cannot cover it
   */
  public MemorySegment allocate(long size) {
    checkSize(size);
    int c = CLASS_OF[(int) (size - 1) >>> GRAIN_SHIFT];
    long address;
    Local tc = platformLocal();
    if (tc != null) {
      address = tc.allocateClass(c);
    } else {
      sharedLock.lock();
      try {
        address = sharedCache.allocateClass(c);
      } finally {
        sharedLock.unlock();
      }
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
    long address = block.address();
    if (!block.scope().equals(everything.scope())) {
      if (closed) throw new ClosedException("slab allocator");
      throw foreign(address, "it is not a segment this allocator handed out");
    }
    Local tc = platformLocal();
    if (tc != null) {
      tc.freeBlock(address, block.byteSize());
    } else {
      sharedLock.lock();
      try {
        sharedCache.freeBlock(address, block.byteSize());
      } finally {
        sharedLock.unlock();
      }
    }
  }

  /**
   * The calling platform thread's cache, or null on a virtual thread. A direct-mapped table by thread id
   * answers most calls with a few loads and a compare (a thread-local lookup costs more than the whole
   * magazine fast path); a miss (first call of a thread, or two live threads sharing a slot) falls back
   * to the thread-local and takes the slot. A slot is read without synchronization: a cache seen there
   * is used only if its (final) owner is the calling thread, which then created it itself.
   */
  private Local platformLocal() {
    Thread t = Thread.currentThread();
    Local tc = byThread[(int) t.threadId() & (byThread.length - 1)];
    if (tc != null && tc.owner == t) return tc;
    return platformLocalSlow(t);
  }

  private Local platformLocalSlow(Thread t) {
    if (t.isVirtual()) return null;
    Local tc = caches.get();
    byThread[(int) t.threadId() & (byThread.length - 1)] = tc;
    return tc;
  }

  /**
   * The calling thread's cache as a handle, for hot paths that keep it (a worker's lock-table or memtable
   * code): its {@link Local#allocate} and {@link Local#free} work on block addresses and skip the
   * thread-local lookup and the segment object of {@link #allocate}. A virtual thread gets a cache of its
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
    if (r == null) throw foreign(address, "it lies outside every slab region");
    long offset = address - r.base;
    int s = (offset & GRAIN_MASK) == 0 ? r.state[(int) (offset >>> GRAIN_SHIFT)] : 0;
    if ((s & CLASS_BITS) == 0) throw notABlock(r, address);
    int blockSize = CLASSES[(s & CLASS_BITS) - 1];
    if (size < 0 || size > blockSize) {
      throw new IllegalArgumentException(size + " bytes do not fit the " + blockSize + "-byte block at 0x"
          + Long.toHexString(address));
    }
    if ((s & ALLOCATED) == 0) {
      throw new IllegalArgumentException("the slab block at 0x" + Long.toHexString(address) + " is not allocated");
    }
    return everything.asSlice(address, size);
  }

  // ---- depot and slab layer (the slow paths of Local) ----

  /**
   * Fills {@code tc}'s empty stack of class {@code c}: a magazine from the depot, else fresh blocks from
   * the slabs, else (after adopting the caches of ended threads) a new region. Returns how many.
   */
  private int refill(Local tc, int c) {
    SizeClass sc = classes[c];
    int base = c << STACK_SHIFT;
    boolean adopted = false;
    while (true) {
      int got;
      sc.lock.lock();
      try {
        got = sc.take(tc.rounds, base);
        if (got == 0) got = carve(sc, c, tc.rounds, base);
      } finally {
        sc.lock.unlock();
      }
      if (got > 0) return got;
      // Depot and slabs are dry: first adopt the caches of threads that ended, then grow by a region.
      if (!adopted) {
        adopted = true;
        if (adoptDeadLocals() > 0) continue;
      }
      addRegion();
    }
  }

  /** Gives the depot the {@code n} blocks at {@code rounds[from..]} of class {@code c}. */
  private void toDepot(int c, long[] rounds, int from, int n) {
    SizeClass sc = classes[c];
    sc.lock.lock();
    try {
      sc.put(rounds, from, n);
    } finally {
      sc.lock.unlock();
    }
  }

  /**
   * Puts up to a magazine of fresh blocks of class {@code c} into {@code to[at..]} (under the class lock),
   * marking each as a free block start. Returns how many.
   */
  private int carve(SizeClass sc, int c, long[] to, int at) {
    int n = 0;
    byte free = (byte) (c + 1);
    while (n < sc.magazine) {
      if (sc.carveNext + sc.size <= sc.carveEnd) {
        sc.carveState[(int) ((sc.carveNext - sc.carveBase) >>> GRAIN_SHIFT)] = free;
        to[at + n++] = sc.carveNext;
        sc.carveNext += sc.size;
      } else if (!takeSlab(sc, c)) {
        break;
      }
    }
    return n;
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
      sc.carveBase = carving.base;
      sc.carveState = carving.state;
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

  /** Moves the free blocks cached by threads that ended into the depot. Returns how many. */
  private int adoptDeadLocals() {
    int adopted = 0;
    for (Local tc : threadCaches) {
      if (tc.owner.isAlive() || !threadCaches.remove(tc)) continue;
      // The owner ended (its last action happens-before isAlive() returned false) and we removed it: ours.
      long bytes = 0;
      for (int c = 0; c < CLASSES.length; c++) {
        int n = tc.top[c];
        if (n > 0) {
          toDepot(c, tc.rounds, c << STACK_SHIFT, n);
          adopted += n;
        }
        bytes += (tc.held[c] - n) * CLASSES[c];
        tc.held[c] -= n;
        tc.top[c] = 0;
      }
      retiredAllocations.addAndGet(tc.allocations);
      retiredSlowAllocations.addAndGet(tc.slowAllocations);
      retiredBytes.addAndGet(bytes);
      int slot = (int) tc.owner.threadId() & (byThread.length - 1);
      if (byThread[slot] == tc) byThread[slot] = null; // only lets it be collected; a race just misses
    }
    return adopted;
  }

  private Local newLocal() {
    Local tc = new Local(Thread.currentThread());
    threadCaches.add(tc);
    return tc;
  }

  /** {@link #closed}, read plainly: for the magazine fast paths only. */
  /** False once {@link #close()} began: blocks are gone, frees are refused. */
  public boolean isOpen() {
    return !closed;
  }

  private boolean isClosed() {
    return (boolean) CLOSED.get(this);
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

  /** The foreign-free error for an address in {@code r} where no block starts. */
  private IllegalArgumentException notABlock(Region r, long address) {
    int c = r.slabClass[(int) ((address - r.base) >>> slabShift)];
    if (c < 0) return foreign(address, "it lies in a part of a region not carved into slabs");
    return foreign(address, "it does not start a " + CLASSES[c] + "-byte block");
  }

  private static IllegalArgumentException foreign(long address, String why) {
    return new IllegalArgumentException("foreign free: the block at 0x" + Long.toHexString(address)
        + " was not allocated by this slab allocator: " + why);
  }

  private static IllegalArgumentException doubleFree(long address, int c) {
    return new IllegalArgumentException(
        "double free of the " + CLASSES[c] + "-byte slab block at 0x" + Long.toHexString(address));
  }

  private static void checkSize(long size) {
    if (size <= 0 || size > MAX_SIZE) throw badSize(size);
  }

  private static IllegalArgumentException badSize(long size) {
    return new IllegalArgumentException("slab allocations are 1 to " + MAX_SIZE + " bytes, not " + size
        + "; use a TransactionArena or the LargeObjectAllocator");
  }

  // ---- statistics ----

  /** Bytes in blocks handed out and not freed (counted at their class size). */
  public long allocatedBytes() {
    long sum = retiredBytes.get() + sharedCache.netBytes();
    for (Local tc : threadCaches) sum += tc.netBytes();
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
    long sum = retiredAllocations.get() - retiredSlowAllocations.get()
        + sharedCache.allocations - sharedCache.slowAllocations;
    for (Local tc : threadCaches) sum += tc.allocations - tc.slowAllocations;
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

  /**
   * One thread's cache: per size class a stack of free block addresses, two magazines deep, and
   * counters, all written only by its owner (or, for the virtual threads' shared cache, under
   * sharedLock). As a handle ({@link #local()}) it allocates and frees block addresses.
   *
   * <p>The fast paths are kept to plain array loads and stores of this object's own arrays: the class
   * comes from a table (allocation) or from the block's state byte (free), and the state byte's region
   * is the one cached from the last lookup, so a lookup is a subtraction and a compare.
   */
  public final class Local {
    private final Thread owner;
    /** Free block addresses; class c's stack is {@code rounds[c << STACK_SHIFT ..+ top[c])}. */
    final long[] rounds = new long[CLASSES.length << STACK_SHIFT];
    final int[] top = new int[CLASSES.length];
    /**
     * Per class, blocks that came into this cache (carved or from the depot) minus blocks it gave to the
     * depot. Blocks it handed out and has not had back are {@code held[c] - top[c]}: the byte count
     * needs no counter on the fast paths.
     */
    final long[] held = new long[CLASSES.length];
    /** The base address and state bytes of the region of the last block this cache looked up. */
    private long regionBase;
    private byte[] regionState = NO_REGION;
    long allocations;
    long slowAllocations;

    Local(Thread owner) {
      this.owner = owner;
    }

    /**
     * Allocates a block for {@code size} bytes (1 to {@value #MAX_SIZE}) and returns its address; see
     * {@link SlabAllocator#segment} for access.
     *
     * @throws WrongThreadException when called from another thread than the one this cache belongs to
     */
    public long allocate(long size) {
      if (size <= 0 || size > MAX_SIZE) throw badSize(size);
      if (owner != Thread.currentThread()) throw wrongThread();
      return allocateClass(CLASS_OF[(int) (size - 1) >>> GRAIN_SHIFT]);
    }

    /**
     * Frees the block at {@code address} (from any thread's {@link #allocate} of this allocator).
     *
     * @throws IllegalArgumentException on a double free or an address that does not start a block
     */
    public void free(long address) {
      if (owner != Thread.currentThread()) throw wrongThread();
      freeBlock(address, 0);
    }

    long allocateClass(int c) {
      int t = top[c] - 1;
      if (t < 0 || isClosed()) return allocateSlow(c);
      long address = rounds[(c << STACK_SHIFT) + t];
      top[c] = t;
      markAllocated(address, c);
      allocations++;
      return address;
    }

    private long allocateSlow(int c) {
      if (closed) throw new ClosedException("slab allocator");
      int got = refill(this, c);
      held[c] += got;
      int t = got - 1;
      long address = rounds[(c << STACK_SHIFT) + t];
      top[c] = t;
      markAllocated(address, c);
      allocations++;
      slowAllocations++;
      return address;
    }

    /** Sets the state byte of a block from this cache, which is known to be a free block of class c. */
    private void markAllocated(long address, int c) {
      byte[] state = regionState;
      long granule = (address - regionBase) >>> GRAIN_SHIFT;
      if (granule >= state.length) {
        markAllocatedInOtherRegion(address, c);
        return;
      }
      state[(int) granule] = (byte) (ALLOCATED | (c + 1));
    }

    private void markAllocatedInOtherRegion(long address, int c) {
      Region r = find(address);
      regionBase = r.base;
      regionState = r.state;
      r.state[(int) ((address - r.base) >>> GRAIN_SHIFT)] = (byte) (ALLOCATED | (c + 1));
    }

    /**
     * Frees the block at {@code address}; {@code bytes} is the size of the segment it came as (0 for an
     * address), which must fit the block.
     */
    void freeBlock(long address, long bytes) {
      long offset = address - regionBase;
      byte[] state = regionState;
      long granule = offset >>> GRAIN_SHIFT;
      if ((offset & GRAIN_MASK) != 0 || granule >= state.length) {
        freeInOtherRegion(address, bytes);
        return;
      }
      int i = (int) granule;
      int s = state[i];
      if (s >= 0 || isClosed() || bytes > CLASSES[(s & CLASS_BITS) - 1]) throw rejectFree(address, s, bytes);
      int c = (s & CLASS_BITS) - 1;
      if (ATOMIC_STATE) {
        markFreeAtomically(state, i, address, c);
      } else {
        state[i] = (byte) (s & ~ALLOCATED);
      }
      int t = top[c];
      if (t == 2 * magazineSize(c)) {
        freeToDepot(c, address);
        return;
      }
      rounds[(c << STACK_SHIFT) + t] = address;
      top[c] = t + 1;
    }

    /**
     * With assertions on, the state flip is an atomic bitwise and (a third of the fast path's cost, so
     * not without): then two frees of one block racing on two threads are caught too, as only one of them
     * sees it allocated.
     */
    private static void markFreeAtomically(byte[] state, int i, long address, int c) {
      if ((byte) STATE.getAndBitwiseAnd(state, i, (byte) ~ALLOCATED) >= 0) throw doubleFree(address, c);
    }

    /** Looks up the region of {@code address} (or fails: foreign free), caches it, and frees there. */
    private void freeInOtherRegion(long address, long bytes) {
      if (closed) throw new ClosedException("slab allocator");
      Region r = find(address);
      if (r == null) throw foreign(address, "it lies outside every slab region");
      if (((address - r.base) & GRAIN_MASK) != 0) throw notABlock(r, address);
      regionBase = r.base;
      regionState = r.state;
      freeBlock(address, bytes);
    }

    /** Why a free of {@code bytes} found no allocated block start at {@code address} in the cached region. */
    private RuntimeException rejectFree(long address, int state, long bytes) {
      if (isClosed()) return new ClosedException("slab allocator");
      int c = (state & CLASS_BITS) - 1;
      if (c < 0) return notABlock(find(address), address);
      if (state >= 0) return doubleFree(address, c);
      return foreign(address, "the segment of " + bytes + " bytes is larger than the " + CLASSES[c] + "-byte block");
    }

    /** The stack of class c is full: give its older magazine to the depot, keep the newer one, push. */
    private void freeToDepot(int c, long address) {
      int m = magazineSize(c);
      int base = c << STACK_SHIFT;
      toDepot(c, rounds, base, m);
      System.arraycopy(rounds, base + m, rounds, base, m);
      held[c] -= m;
      rounds[base + m] = address;
      top[c] = m + 1;
    }

    private WrongThreadException wrongThread() {
      return new WrongThreadException("this slab cache belongs to thread " + owner.getName());
    }

    /** Bytes of blocks this cache handed out minus those it took back; may be negative. */
    long netBytes() {
      long sum = 0;
      for (int c = 0; c < CLASSES.length; c++) sum += (held[c] - top[c]) * CLASSES[c];
      return sum;
    }
  }

  /** The depot and slab-carving state of one size class; guarded by {@link #lock}. */
  private static final class SizeClass {
    final int size;
    final int magazine;
    final int blocksPerSlab;
    final ReentrantLock lock = new ReentrantLock();
    /** The depot: free block addresses given back by the threads' caches, {@code depot[0..depotCount)}. */
    long[] depot;
    int depotCount;
    long carveBase;
    byte[] carveState;
    long carveNext;
    long carveEnd;

    SizeClass(int size, int magazine, int blocksPerSlab) {
      this.size = size;
      this.magazine = magazine;
      this.blocksPerSlab = blocksPerSlab;
      this.depot = new long[4 * magazine];
    }

    /** Moves up to a magazine of blocks from the depot to {@code to[at..]}. Returns how many. */
    int take(long[] to, int at) {
      int n = Math.min(depotCount, magazine);
      depotCount -= n;
      System.arraycopy(depot, depotCount, to, at, n);
      return n;
    }

    /** Adds {@code from[at..at + n)} to the depot. */
    void put(long[] from, int at, int n) {
      if (depotCount + n > depot.length) depot = Arrays.copyOf(depot, Math.max(2 * depot.length, depotCount + n));
      System.arraycopy(from, at, depot, depotCount, n);
      depotCount += n;
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
