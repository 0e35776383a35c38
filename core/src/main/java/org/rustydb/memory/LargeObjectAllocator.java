package org.rustydb.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * The allocator for large blocks (over {@link #THRESHOLD}, 1 MiB): the buffer pool's frame region, sort and
 * hash buffers, large BLOBs. Memory comes from anonymous {@code mmap} mappings, which are free regions
 * until carved; a request is served best-fit from the free regions, and a freed block is coalesced with its
 * free neighbours, as the spec's {@code LargeObjectAllocator}.
 *
 * <h2>Pages</h2>
 * A new mapping is a multiple of the huge page size (2 MiB on x86-64). With {@link HugePagePolicy#AUTO}
 * it is mapped with {@code MAP_HUGETLB} when enough explicit huge pages are reserved
 * ({@code /proc/meminfo} HugePages_Free); else it is mapped 2 MiB-aligned and given
 * {@code madvise(MADV_HUGEPAGE)} so that transparent huge pages back it; else (THP disabled, or madvise
 * refused) it uses plain 4 KiB pages. Each fall-back is logged once through {@link System.Logger}. Off
 * Linux, or when the native calls cannot be linked, mappings come from {@code Arena.ofShared().allocate}.
 *
 * <h2>Free regions</h2>
 * Two ordered maps, as the spec: free regions by (size, address) for best fit, and by address for
 * coalescing. Regions never coalesce across mappings (each mapping is unmapped as a whole). A mapping
 * whose every byte is free again is kept for reuse until {@link #reclaim} (the budget asks when it runs
 * short) or {@link #close()} unmaps it. The fragmentation ratio is {@code 1 - largest free region / free
 * bytes} (0 with one free region or none): the share of free memory that a single large request cannot use.
 *
 * <h2>Exclusive blocks</h2>
 * {@link #allocateExclusive} gives a block a mapping of its own (the buffer pool's frame region): its
 * owner may hand pages back to the OS and the budget with {@link #decommit} while keeping the block, and
 * must {@link #recommit} them (a budget reservation that can fail) before use; freeing it unmaps it.
 *
 * <h2>Safety</h2>
 * Each allocation is handed out as a segment of its own shared {@link Arena}, bounded to the requested
 * size; {@link #free} closes that arena before the bytes go back to the free regions, so a freed or
 * closed block throws {@link IllegalStateException} on access (FFM's check) instead of touching memory
 * that another allocation owns or that is unmapped. Closing a shared arena costs a thread handshake
 * (microseconds), acceptable for blocks of a megabyte or more. Memory is zero when first mapped, not when
 * reused. Double free and foreign free are {@link IllegalArgumentException}s.
 *
 * <p>Thread-safe: one lock guards the region maps; {@code mmap} and the budget reservation for a new
 * mapping happen outside it, so a reclaimer running on another thread never waits for a native call.
 */
public final class LargeObjectAllocator implements MemoryReclaimer, AutoCloseable {

  /** Allocations larger than this belong here rather than in an arena (smaller ones are accepted too). */
  public static final long THRESHOLD = Sizes.MiB;

  /** Every block starts on a page boundary and is a whole number of pages. */
  public static final long PAGE = 4096;

  private static final System.Logger LOG = System.getLogger(LargeObjectAllocator.class.getName());

  /** Which kind of memory backs a mapping. */
  public enum Backing { HUGETLB, TRANSPARENT_HUGE_PAGES, PLAIN_PAGES, JDK_ARENA }

  /** Which huge pages to try. */
  public enum HugePagePolicy {
    /** Explicit huge pages when reserved, else transparent huge pages, else plain pages. */
    AUTO,
    /** Transparent huge pages (madvise) or plain pages; never MAP_HUGETLB. */
    TRANSPARENT_ONLY,
    /** Plain pages only. */
    NONE
  }

  private static final Comparator<Region> BY_SIZE =
      Comparator.comparingLong(Region::size).thenComparingLong(Region::address);

  private final MemoryBudget budget;
  private final NativeMemory os;
  private final HugePagePolicy policy;
  private final Supplier<HugePages> hugePages;
  private final long granule;

  private final ReentrantLock lock = new ReentrantLock();
  private final TreeSet<Region> freeBySize = new TreeSet<>(BY_SIZE);
  private final TreeMap<Long, Region> freeByAddress = new TreeMap<>();
  private final Map<Long, Allocation> live = new HashMap<>();
  private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
  private final Set<String> loggedOnce = ConcurrentHashMap.newKeySet();
  private long allocatedBytes;
  private long freeBytes;
  private long mappedBytes;
  private volatile String refusal;
  private volatile boolean closed;

  /** An allocator over mmap (on Linux) with huge pages chosen by {@code policy}. */
  public LargeObjectAllocator(MemoryBudget budget, HugePagePolicy policy, boolean useNativeMapping) {
    this(budget, policy, useNativeMapping ? NativeMemory.instance() : Optional.empty(), HugePages::probe);
  }

  LargeObjectAllocator(MemoryBudget budget, HugePagePolicy policy, Optional<NativeMemory> os,
      Supplier<HugePages> hugePages) {
    if (budget == null || policy == null) throw new IllegalArgumentException("budget and policy are required");
    this.budget = budget;
    this.policy = policy;
    this.os = os.orElse(null);
    this.hugePages = hugePages;
    long hp = this.os == null ? HugePages.DEFAULT_HUGE_PAGE_SIZE : hugePages.get().hugePageSize();
    this.granule = Sizes.isPowerOfTwo(hp) && hp >= PAGE ? hp : HugePages.DEFAULT_HUGE_PAGE_SIZE;
  }

  /**
   * Allocates {@code size} bytes aligned to {@code alignment} (a power of two, at most the huge page
   * size; at least a page is always given).
   *
   * @throws OperationFailedException when the memory budget cannot cover a new mapping, the OS refuses
   *     one, or new large allocations are refused during a memory-pressure emergency
   */
  public MemorySegment allocate(long size, long alignment) {
    return allocate(size, alignment, true);
  }

  /** As {@link #allocate(long, long)}, page-aligned. */
  public MemorySegment allocate(long size) {
    return allocate(size, PAGE, true);
  }

  MemorySegment allocate(long size, long alignment, boolean refusable) {
    if (size <= 0) throw new IllegalArgumentException("large object size must be positive: " + size);
    Sizes.checkAlignment(alignment);
    if (alignment > granule) {
      throw new IllegalArgumentException("alignment " + alignment + " is above the huge page size " + granule);
    }
    checkOpen();
    String refused = refusal;
    if (refusable && refused != null) {
      throw new OperationFailedException("large allocation of " + Sizes.format(size) + " refused: " + refused);
    }
    long need = Sizes.alignUp(size, PAGE);
    long align = Math.max(alignment, PAGE);
    lock.lock();
    try {
      checkOpen();
      Region fit = bestFit(need, align);
      if (fit != null) return carve(fit, need, align, size);
    } finally {
      lock.unlock();
    }
    long mapSize = Sizes.alignUp(need + (align - PAGE), granule);
    Mapping m = reserveAndMap(mapSize, size);
    lock.lock();
    try {
      register(m);
      Region whole = new Region(m.address, m.size, m);
      addFree(whole);
      return carve(whole, need, align, size);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a block to the free regions. The segment (and any slice of it) is unusable afterwards.
   *
   * @throws IllegalArgumentException when {@code segment} was already freed or did not come from here
   */
  public void free(MemorySegment segment) {
    if (segment == null) throw new IllegalArgumentException("segment is null");
    checkOpen();
    Allocation a;
    lock.lock();
    try {
      checkOpen();
      a = live.get(segment.address());
      if (a == null || !a.segment.scope().equals(segment.scope())) {
        if (!segment.scope().isAlive()) {
          throw new IllegalArgumentException("double free: the large object at 0x"
              + Long.toHexString(segment.address()) + " was already freed");
        }
        throw new IllegalArgumentException("foreign free: 0x" + Long.toHexString(segment.address())
            + " (" + segment.byteSize() + " bytes) was not allocated by this large-object allocator");
      }
      live.remove(a.address);
    } finally {
      lock.unlock();
    }
    // Close the block's arena before its bytes can be handed out again: afterwards no thread can reach them.
    try {
      a.scope.close();
    } catch (IllegalStateException e) {
      lock.lock();
      try {
        live.put(a.address, a);
      } finally {
        lock.unlock();
      }
      throw new OperationFailedException("large object at 0x" + Long.toHexString(a.address)
          + " cannot be freed while a native call uses it", e);
    }
    lock.lock();
    try {
      allocatedBytes -= a.size;
      a.mapping.liveAllocations--;
      if (closed) return;
      if (!a.exclusive) {
        addFreeCoalescing(new Region(a.address, a.size, a.mapping));
        return;
      }
      // An exclusive block owns its mapping: unmap it now, releasing what is still reserved of it.
      Mapping m = a.mapping;
      mappings.remove(m.address);
      mappedBytes -= m.size;
      unmap(m);
      budget.release(m.size - m.decommittedBytes);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Allocates {@code size} bytes in a mapping of their own, for a block that lives long and whose pages
   * its owner may hand back while keeping the block: the buffer pool's frame region. The mapping is
   * unmapped as soon as the block is freed. See {@link #decommit} and {@link #recommit}.
   */
  public MemorySegment allocateExclusive(long size, long alignment) {
    return allocateExclusive(size, alignment, true);
  }

  MemorySegment allocateExclusive(long size, long alignment, boolean refusable) {
    if (size <= 0) throw new IllegalArgumentException("large object size must be positive: " + size);
    Sizes.checkAlignment(alignment);
    if (alignment > granule) {
      throw new IllegalArgumentException("alignment " + alignment + " is above the huge page size " + granule);
    }
    checkOpen();
    String refused = refusal;
    if (refusable && refused != null) {
      throw new OperationFailedException("large allocation of " + Sizes.format(size) + " refused: " + refused);
    }
    long need = Sizes.alignUp(size, PAGE);
    long align = Math.max(alignment, PAGE);
    long mapSize = Sizes.alignUp(need + (align - PAGE), granule);
    Mapping m = reserveAndMap(mapSize, size);
    lock.lock();
    try {
      register(m);
      long start = Sizes.alignUp(m.address, align);
      Arena scope = Arena.ofShared();
      MemorySegment seg = MemorySegment.ofAddress(start).reinterpret(size, scope, null);
      // The whole mapping counts as this block's: its padding is of no use to anyone else.
      live.put(start, new Allocation(start, m.size, m, scope, seg, true));
      allocatedBytes += m.size;
      m.liveAllocations++;
      return seg;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands the pages of {@code [offset, offset + length)} of exclusive block {@code block} back to the OS
   * ({@code madvise(MADV_DONTNEED)}: they read as zero when touched again) and their bytes back to the
   * budget. Page-aligned; pages already decommitted count once. Call {@link #recommit} before using the
   * range again. Without mmap (Arena fallback) nothing can be handed back and this returns 0.
   *
   * @return the bytes released from the budget
   */
  public long decommit(MemorySegment block, long offset, long length) {
    lock.lock();
    try {
      Allocation a = exclusiveBlock(block, offset, length);
      Mapping m = a.mapping;
      if (m.pinnedBy != null) {
        throw new OperationFailedException("cannot decommit pages pinned by " + m.pinnedBy
            + ": madvise(MADV_DONTNEED) would leave the kernel writing into the pinned pages while the process"
            + " sees fresh zero pages");
      }
      if (os == null || length == 0) return 0;
      long first = (a.address + offset - m.address) / PAGE;
      long pages = length / PAGE;
      long fresh = 0;
      for (long p = first; p < first + pages; p++) {
        if (!m.decommitted.get((int) p)) {
          m.decommitted.set((int) p);
          fresh++;
        }
      }
      int rc = os.advise(a.address + offset, length, NativeMemory.MADV_DONTNEED);
      if (rc != 0) {
        for (long p = first; p < first + pages; p++) m.decommitted.clear((int) p); // nothing was dropped
        throw new OperationFailedException("madvise(MADV_DONTNEED) failed (errno " + rc + ")");
      }
      m.decommittedBytes += fresh * PAGE;
      budget.release(fresh * PAGE);
      return fresh * PAGE;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks exclusive block {@code block}'s pages as pinned by {@code by} (a kernel that keeps references to
   * them, as io_uring does for registered buffers): from now on {@link #decommit} refuses with an
   * {@link OperationFailedException}. {@code MADV_DONTNEED} would drop the pages from the process's page
   * table while the kernel kept the pinned ones: reads into them would be invisible, and the process would
   * see zeros. Idempotent.
   */
  public void pin(MemorySegment block, String by) {
    if (by == null) throw new IllegalArgumentException("by is null");
    lock.lock();
    try {
      Allocation a = exclusiveBlock(block, 0, 0);
      a.mapping.pinnedBy = by;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reserves from the budget again the decommitted pages of {@code [offset, offset + length)} of
   * exclusive block {@code block}, before the owner uses them again.
   *
   * @return the bytes reserved
   * @throws OperationFailedException when the budget cannot cover them (the pages stay decommitted)
   */
  public long recommit(MemorySegment block, long offset, long length) {
    java.util.BitSet wanted;
    Mapping m;
    long first;
    lock.lock();
    try {
      Allocation a = exclusiveBlock(block, offset, length);
      m = a.mapping;
      first = (a.address + offset - m.address) / PAGE;
      wanted = m.decommitted.get((int) first, (int) (first + length / PAGE));
    } finally {
      lock.unlock();
    }
    long bytes = wanted.cardinality() * PAGE;
    if (bytes == 0) return 0;
    budget.reserve(bytes, "recommitted pages of a large object"); // outside the lock: reclaimers may run
    long cleared = 0;
    lock.lock();
    try {
      if (closed || mappings.get(m.address) != m) { // freed (or closed) while the budget was asked
        budget.release(bytes);
        throw new IllegalArgumentException("the large object was freed during recommit");
      }
      for (int p = wanted.nextSetBit(0); p >= 0; p = wanted.nextSetBit(p + 1)) {
        if (m.decommitted.get((int) first + p)) {
          m.decommitted.clear((int) first + p);
          cleared++;
        }
      }
      m.decommittedBytes -= cleared * PAGE;
    } finally {
      lock.unlock();
    }
    if (cleared * PAGE < bytes) budget.release(bytes - cleared * PAGE); // recommitted meanwhile by another call
    return cleared * PAGE;
  }

  /** Bytes of exclusive blocks handed back by {@link #decommit} and not yet recommitted. */
  public long decommittedBytes() {
    lock.lock();
    try {
      long sum = 0;
      for (Mapping m : mappings.values()) sum += m.decommittedBytes;
      return sum;
    } finally {
      lock.unlock();
    }
  }

  private Allocation exclusiveBlock(MemorySegment block, long offset, long length) {
    checkOpen();
    if (block == null) throw new IllegalArgumentException("block is null");
    Allocation a = live.get(block.address());
    if (a == null || !a.segment.scope().equals(block.scope())) {
      throw new IllegalArgumentException("0x" + Long.toHexString(block.address()) + " is not a live large object");
    }
    if (!a.exclusive) {
      throw new IllegalArgumentException("only blocks from allocateExclusive can be decommitted");
    }
    long usable = Sizes.alignUp(a.segment.byteSize(), PAGE);
    if (offset < 0 || length < 0 || offset % PAGE != 0 || length % PAGE != 0 || offset + length > usable) {
      throw new IllegalArgumentException("range [" + offset + ", " + (offset + length) + ") is not whole pages of the "
          + usable + "-byte block");
    }
    return a;
  }

  /**
   * Unmaps mappings with no live block until {@code bytesWanted} bytes were released (at any urgency:
   * free mappings hold no data). Returns the bytes released from the budget.
   */
  @Override
  public long reclaim(long bytesWanted, ReclaimUrgency urgency) {
    lock.lock();
    try {
      if (closed) return 0;
      long released = 0;
      Iterator<Mapping> it = mappings.values().iterator();
      while (it.hasNext() && released < bytesWanted) {
        Mapping m = it.next();
        if (m.liveAllocations != 0) continue;
        Region whole = freeByAddress.get(m.address);
        if (whole == null || whole.size != m.size) continue; // cannot happen: a mapping with no block is one region
        removeFree(whole);
        it.remove();
        mappedBytes -= m.size;
        unmap(m);
        budget.release(m.size);
        released += m.size;
      }
      return released;
    } finally {
      lock.unlock();
    }
  }

  /** Unmaps every mapping that holds no live block. Returns the bytes released. */
  public long trim() {
    return reclaim(Long.MAX_VALUE, ReclaimUrgency.GENTLE);
  }

  /** Refuses new (refusable) allocations with {@code reason} until {@link #stopRefusing()}. */
  void refuseNewAllocations(String reason) {
    refusal = reason;
  }

  void stopRefusing() {
    refusal = null;
  }

  /** Whether new large allocations are refused now (memory-pressure emergency). */
  public boolean refusingNewAllocations() {
    return refusal != null;
  }

  /** Bytes in live blocks (each rounded up to whole pages). */
  public long allocatedBytes() {
    return underLock(() -> allocatedBytes);
  }

  /** Bytes mapped and not in a live block. */
  public long freeBytes() {
    return underLock(() -> freeBytes);
  }

  /** Bytes mapped in all (reserved from the budget). */
  public long mappedBytes() {
    return underLock(() -> mappedBytes);
  }

  public int freeRegionCount() {
    return (int) underLock(() -> freeByAddress.size());
  }

  public int mappingCount() {
    return (int) underLock(() -> mappings.size());
  }

  /** {@code 1 - largest free region / free bytes}: 0 when free memory is one region (or none). */
  public double fragmentation() {
    lock.lock();
    try {
      if (freeBytes == 0) return 0.0;
      return 1.0 - (double) freeBySize.last().size / freeBytes;
    } finally {
      lock.unlock();
    }
  }

  /** Mapped bytes by the kind of pages backing them. */
  public Map<Backing, Long> mappedBytesByBacking() {
    lock.lock();
    try {
      Map<Backing, Long> out = new EnumMap<>(Backing.class);
      for (Mapping m : mappings.values()) out.merge(m.backing, m.size, Long::sum);
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** The free regions in address order as (address, size) pairs; for tests and diagnostics. */
  public List<long[]> freeRegions() {
    lock.lock();
    try {
      List<long[]> out = new ArrayList<>();
      for (Region r : freeByAddress.values()) out.add(new long[] {r.address, r.size});
      return out;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Frees every live block (their segments become unusable), unmaps every mapping and releases the
   * budget. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) return;
      closed = true;
      List<Mapping> keep = new ArrayList<>();
      for (Allocation a : live.values()) {
        try {
          a.scope.close();
        } catch (IllegalStateException e) {
          // A native call still uses this block: leaving its mapping in place is better than a crash.
          keep.add(a.mapping);
          LOG.log(System.Logger.Level.WARNING, "large object at 0x{0} in use while closing; its mapping is leaked",
              Long.toHexString(a.address));
        }
      }
      live.clear();
      for (Mapping m : mappings.values()) {
        if (keep.contains(m)) continue; // leaked, so it stays counted against the budget
        unmap(m);
        budget.release(m.size - m.decommittedBytes);
      }
      mappings.clear();
      freeBySize.clear();
      freeByAddress.clear();
      allocatedBytes = freeBytes = mappedBytes = 0;
    } finally {
      lock.unlock();
    }
  }

  // ---- regions ----

  private Region bestFit(long need, long align) {
    for (Region r : freeBySize.tailSet(new Region(Long.MIN_VALUE, need, null), true)) {
      long start = Sizes.alignUp(r.address, align);
      if (start + need <= r.end()) return r;
    }
    return null;
  }

  private MemorySegment carve(Region r, long need, long align, long size) {
    long start = Sizes.alignUp(r.address, align);
    removeFree(r);
    if (start > r.address) addFree(new Region(r.address, start - r.address, r.mapping));
    long end = start + need;
    if (end < r.end()) addFree(new Region(end, r.end() - end, r.mapping));
    Arena scope = Arena.ofShared();
    MemorySegment seg = MemorySegment.ofAddress(start).reinterpret(size, scope, null);
    live.put(start, new Allocation(start, need, r.mapping, scope, seg, false));
    allocatedBytes += need;
    r.mapping.liveAllocations++;
    return seg;
  }

  /** Adds a free region, merging it with free neighbours of the same mapping (the spec's deallocate). */
  private void addFreeCoalescing(Region region) {
    long addr = region.address;
    long size = region.size;
    Map.Entry<Long, Region> prev = freeByAddress.lowerEntry(addr);
    if (prev != null && prev.getValue().mapping == region.mapping && prev.getValue().end() == addr) {
      removeFree(prev.getValue());
      addr = prev.getValue().address;
      size += prev.getValue().size;
    }
    Map.Entry<Long, Region> next = freeByAddress.ceilingEntry(region.address);
    if (next != null && next.getValue().mapping == region.mapping && region.end() == next.getValue().address) {
      removeFree(next.getValue());
      size += next.getValue().size;
    }
    addFree(new Region(addr, size, region.mapping));
  }

  private void addFree(Region r) {
    freeBySize.add(r);
    freeByAddress.put(r.address, r);
    freeBytes += r.size;
  }

  private void removeFree(Region r) {
    freeBySize.remove(r);
    freeByAddress.remove(r.address);
    freeBytes -= r.size;
  }

  // ---- mappings ----

  /** Reserves {@code mapSize} in the budget and maps it (no lock held); the reservation is undone on failure. */
  private Mapping reserveAndMap(long mapSize, long size) {
    budget.reserve(mapSize, "large object of " + Sizes.format(size));
    try {
      return map(mapSize);
    } catch (RuntimeException e) {
      budget.release(mapSize);
      throw e;
    }
  }

  /** Records a new mapping (lock held); if the allocator closed meanwhile, gives it back and throws. */
  private void register(Mapping m) {
    if (closed) {
      unmap(m);
      budget.release(m.size);
      throw new ClosedException("large-object allocator");
    }
    mappings.put(m.address, m);
    mappedBytes += m.size;
  }

  private Mapping map(long size) {
    if (os == null) {
      Arena arena = Arena.ofShared();
      try {
        MemorySegment s = arena.allocate(size, PAGE);
        return new Mapping(s.address(), size, Backing.JDK_ARENA, arena);
      } catch (OutOfMemoryError e) {
        arena.close();
        throw new OperationFailedException("cannot allocate a large-object region of " + Sizes.format(size), e);
      }
    }
    HugePages hp = policy == HugePagePolicy.NONE ? null : hugePages.get();
    if (policy == HugePagePolicy.AUTO) {
      if (hp.freeBytes() >= size && size % hp.hugePageSize() == 0) {
        long addr = os.mapAnonymous(size, NativeMemory.MAP_HUGETLB);
        if (addr > 0) return new Mapping(addr, size, Backing.HUGETLB, null);
        logOnce("hugetlb-failed", "mmap(MAP_HUGETLB) of " + Sizes.format(size) + " failed (errno " + (-addr)
            + "): falling back to transparent huge pages");
      } else {
        logOnce("no-hugetlb", "no explicit huge pages reserved for " + Sizes.format(size) + " (HugePages_Free = "
            + hp.freeHugePages() + "): using transparent huge pages");
      }
    }
    long addr = mapAligned(size);
    if (policy == HugePagePolicy.NONE) return new Mapping(addr, size, Backing.PLAIN_PAGES, null);
    if (hp.transparent() == HugePages.TransparentMode.NEVER) {
      logOnce("thp-never", "transparent huge pages are disabled (enabled = never): using plain pages");
      return new Mapping(addr, size, Backing.PLAIN_PAGES, null);
    }
    int rc = os.advise(addr, size, NativeMemory.MADV_HUGEPAGE);
    if (rc != 0) {
      logOnce("madvise-failed", "madvise(MADV_HUGEPAGE) failed (errno " + rc + "): using plain pages");
      return new Mapping(addr, size, Backing.PLAIN_PAGES, null);
    }
    return new Mapping(addr, size, Backing.TRANSPARENT_HUGE_PAGES, null);
  }

  /** Maps {@code size} bytes starting on a huge-page boundary (so THP can back all of it). */
  private long mapAligned(long size) {
    long raw = os.mapAnonymous(size + granule, 0);
    if (raw < 0) {
      throw new OperationFailedException("mmap of " + Sizes.format(size) + " failed (errno " + (-raw) + ")");
    }
    long aligned = Sizes.alignUp(raw, granule);
    long head = aligned - raw;
    long tail = raw + size + granule - (aligned + size);
    if (head > 0) os.unmap(raw, head);
    if (tail > 0) os.unmap(aligned + size, tail);
    return aligned;
  }

  private void unmap(Mapping m) {
    if (m.jdkArena != null) {
      m.jdkArena.close();
      return;
    }
    int rc = os.unmap(m.address, m.size);
    if (rc != 0) {
      LOG.log(System.Logger.Level.WARNING, "munmap of {0} at 0x{1} failed: errno {2}",
          Sizes.format(m.size), Long.toHexString(m.address), rc);
    }
  }

  private void checkOpen() {
    if (closed) throw new ClosedException("large-object allocator");
  }

  private void logOnce(String key, String message) {
    if (loggedOnce.add(key)) LOG.log(System.Logger.Level.INFO, message);
  }

  /** A free range inside one mapping. */
  private record Region(long address, long size, Mapping mapping) {
    long end() {
      return address + size;
    }
  }

  /** A live block: its page-rounded range and the arena that scopes its segment. */
  private record Allocation(long address, long size, Mapping mapping, Arena scope, MemorySegment segment,
      boolean exclusive) {}

  /** One mmap (or JDK arena allocation); unmapped as a whole. */
  private static final class Mapping {
    final long address;
    final long size;
    final Backing backing;
    final Arena jdkArena;
    int liveAllocations;
    /** Pages handed back by decommit (exclusive mappings only), and their bytes. */
    final java.util.BitSet decommitted = new java.util.BitSet();
    long decommittedBytes;
    /** Who pins this mapping's pages (io_uring registered buffers), or null: then decommit is refused. */
    String pinnedBy;

    Mapping(long address, long size, Backing backing, Arena jdkArena) {
      this.address = address;
      this.size = size;
      this.backing = backing;
      this.jdkArena = jdkArena;
    }
  }

  /** Reads allocator state consistently: every counter and map here is guarded by {@code lock}. */
  private long underLock(java.util.function.LongSupplier read) {
    lock.lock();
    try {
      return read.getAsLong();
    } finally {
      lock.unlock();
    }
  }

}
