package org.rustydb.io;

import static org.rustydb.io.UringLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * Linux io_uring driven directly through the FFM API: no JNI, no liburing. One ring per engine.
 *
 * <h2>Threads</h2>
 * Any thread may submit. A submitter takes {@link #sqLock} only to fill submission entries and publish the
 * SQ tail, then calls {@code io_uring_enter} outside the lock until the kernel's SQ head has passed its
 * entries (another thread's enter may have submitted them; that is fine). One named completion thread
 * ({@code rustydb-io-uring-N}) reaps completions and completes the futures. When it submits itself (a
 * callback that issues the next read, a continued short transfer, a sync released by its writes) it only
 * publishes entries: its next {@code io_uring_enter} submits them and waits for completions in the same
 * system call, which is how a closed loop of requests runs at one system call per batch.
 *
 * <h2>Back-pressure</h2>
 * At most as many requests as the completion queue has entries are in flight ({@link #permits}), so the
 * CQ cannot overflow. Submitters beyond that wait for a permit; the completion thread never waits (it
 * would wait for itself) and parks such requests in {@link #deferred} until completions free permits. A
 * full SQ is flushed with {@code io_uring_enter} under the lock. EINTR, EAGAIN and EBUSY from enter are
 * retried.
 *
 * <h2>Completions</h2>
 * {@code res < 0} is an errno: EINTR/EAGAIN resubmit the request (a few times), others fail it with
 * {@link IoFailedException} naming the errno. A short transfer is continued from where it stopped; a read
 * returning 0 is the end of the file and completes short.
 *
 * <h2>Memory safety</h2>
 * Ring memory is mmapped into segments of exactly the mapped size, so every ring access is
 * bounds-checked by the JVM; ring offsets reported by the kernel are checked against the mapping before
 * use. Request buffers are checked by {@link AbstractIoEngine} (native, alive, aligned for O_DIRECT, size
 * limits) before their addresses reach an entry. Rings are unmapped and the ring fd closed on close.
 */
public final class UringIoEngine extends AbstractIoEngine {

  private static final System.Logger LOG = System.getLogger(UringIoEngine.class.getName());
  private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
  private static final long WAKE = -1L;
  private static final int MAX_RETRIES = 16;
  private static final AtomicInteger ENGINES = new AtomicInteger();

  private final LinuxNative nat;
  private final Arena arena = Arena.ofShared();
  private final int ringFd;
  private final MemorySegment sqRing;
  private final MemorySegment cqRing;
  private final MemorySegment sqes;
  private final int sqEntries;
  private final int sqMask;
  private final long sqHeadOff;
  private final long sqTailOff;
  private final int cqMask;
  private final long cqHeadOff;
  private final long cqTailOff;
  private final long cqesOff;

  /** Guards filling SQEs and the SQ tail ({@link #sqTail} mirrors what was last published). */
  private final ReentrantLock sqLock = new ReentrantLock();
  private int sqTail;

  private final Op[] slots;
  private final int[] freeSlots;
  private int freeCount;
  private final Semaphore permits;
  private final MemorySegment iovecs;
  private final ArrayDeque<Op> deferred = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  private volatile Region region;
  private final int fileTableSize;
  private final BitSet fileTableUsed = new BitSet();

  private final Thread completionThread;
  private volatile boolean stopping;
  private volatile boolean abandon;
  private volatile boolean ringClosed;

  /** A registered buffer region: fixed buffer i covers [base + i*MAX_FIXED_BUFFER, ...). */
  private record Region(MemorySegment segment, long base, long size) {}

  /**
   * Builds a ring of {@link IoOptions#queueDepth()} entries. Fails with {@link OperationFailedException}
   * saying why when io_uring is unavailable; {@link IoEngines#create} checks first and falls back.
   */
  public UringIoEngine(IoOptions options) {
    super(options);
    nat = LinuxNative.get().orElseThrow(() ->
        new OperationFailedException("io_uring unavailable: " + LinuxNative.unavailableReason()));
    MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
    params.set(ValueLayout.JAVA_INT, P_CQ_ENTRIES, options.queueDepth() * 2);
    int flags = SETUP_CQSIZE | SETUP_CLAMP | SETUP_SUBMIT_ALL;
    params.set(ValueLayout.JAVA_INT, P_FLAGS, flags);
    long fd = nat.ioUringSetup(options.queueDepth(), params);
    if (fd == -Errno.EINVAL) { // kernels before 5.18 lack SUBMIT_ALL
      params.fill((byte) 0);
      params.set(ValueLayout.JAVA_INT, P_CQ_ENTRIES, options.queueDepth() * 2);
      flags &= ~SETUP_SUBMIT_ALL;
      params.set(ValueLayout.JAVA_INT, P_FLAGS, flags);
      fd = nat.ioUringSetup(options.queueDepth(), params);
    }
    if (fd < 0) {
      arena.close();
      throw new OperationFailedException("io_uring_setup failed: " + Errno.describe((int) -fd));
    }
    ringFd = (int) fd;
    MemorySegment sq = null, cq = null, se = null;
    try {
      sqEntries = params.get(ValueLayout.JAVA_INT, P_SQ_ENTRIES);
      int cqEntries = params.get(ValueLayout.JAVA_INT, P_CQ_ENTRIES);
      int features = params.get(ValueLayout.JAVA_INT, P_FEATURES);
      if (sqEntries <= 0 || cqEntries <= 0 || Integer.bitCount(sqEntries) != 1 || Integer.bitCount(cqEntries) != 1) {
        throw new OperationFailedException("io_uring_setup returned odd sizes: sq " + sqEntries + ", cq " + cqEntries);
      }
      long so = P_SQ_OFF;
      long co = P_CQ_OFF;
      long sqArray = u32(params, so + SQ_ARRAY);
      long cqes = u32(params, co + CQ_CQES);
      long sqSize = sqArray + (long) sqEntries * 4;
      long cqSize = cqes + (long) cqEntries * CQE_SIZE;
      if ((features & FEAT_SINGLE_MMAP) != 0) {
        sq = nat.mmapShared(Math.max(sqSize, cqSize), ringFd, OFF_SQ_RING, "io_uring rings");
        cq = sq;
      } else {
        sq = nat.mmapShared(sqSize, ringFd, OFF_SQ_RING, "io_uring SQ ring");
        cq = nat.mmapShared(cqSize, ringFd, OFF_CQ_RING, "io_uring CQ ring");
      }
      se = nat.mmapShared((long) sqEntries * SQE_SIZE, ringFd, OFF_SQES, "io_uring SQEs");
      sqHeadOff = checkIndexOffset(sq, u32(params, so + SQ_HEAD));
      sqTailOff = checkIndexOffset(sq, u32(params, so + SQ_TAIL));
      sqMask = sq.get(ValueLayout.JAVA_INT, checkIndexOffset(sq, u32(params, so + SQ_RING_MASK)));
      cqHeadOff = checkIndexOffset(cq, u32(params, co + CQ_HEAD));
      cqTailOff = checkIndexOffset(cq, u32(params, co + CQ_TAIL));
      cqMask = cq.get(ValueLayout.JAVA_INT, checkIndexOffset(cq, u32(params, co + CQ_RING_MASK)));
      cqesOff = cqes;
      if (sqMask != sqEntries - 1 || cqMask != cqEntries - 1 || cqes % CQE_SIZE != 0) {
        throw new OperationFailedException("io_uring ring layout not as expected");
      }
      // The SQ index array maps ring position i to SQE i, once and for all.
      for (int i = 0; i < sqEntries; i++) sq.set(ValueLayout.JAVA_INT, sqArray + 4L * i, i);
      sqTail = (int) INT.getAcquire(sq, sqTailOff);
      if ((features & FEAT_NODROP) == 0) {
        LOG.log(System.Logger.Level.DEBUG, "io_uring without NODROP; in-flight requests are capped at CQ size");
      }
      sqRing = sq;
      cqRing = cq;
      sqes = se;
      slots = new Op[cqEntries];
      freeSlots = new int[cqEntries];
      for (int i = 0; i < cqEntries; i++) freeSlots[i] = cqEntries - 1 - i;
      freeCount = cqEntries;
      permits = new Semaphore(cqEntries);
      iovecs = arena.allocate((long) cqEntries * options.maxIovecs() * IOVEC_SIZE, 8);
      fileTableSize = registerFileTable(options.registeredFiles());
    } catch (RuntimeException e) {
      if (se != null) nat.munmap(se);
      if (cq != null && cq != sq) nat.munmap(cq);
      if (sq != null) nat.munmap(sq);
      nat.close(ringFd);
      arena.close();
      throw e;
    }
    completionThread = Thread.ofPlatform().daemon().name("rustydb-io-uring-" + ENGINES.incrementAndGet())
        .start(this::completionLoop);
  }

  private static long u32(MemorySegment s, long offset) {
    return Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, offset));
  }

  private static long checkIndexOffset(MemorySegment ring, long offset) {
    if (offset % 4 != 0 || offset + 4 > ring.byteSize()) {
      throw new OperationFailedException("io_uring ring offset " + offset + " outside the mapping of "
          + ring.byteSize() + " bytes");
    }
    return offset;
  }

  /** Registers a sparse file table; returns its size, or 0 when the kernel refuses (then no fixed files). */
  private int registerFileTable(int size) {
    if (size == 0) return 0;
    MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, size);
    fds.fill((byte) 0xff); // -1: empty slot
    long r = nat.ioUringRegister(ringFd, REGISTER_FILES, fds, size, 4);
    if (r < 0) {
      LOG.log(System.Logger.Level.DEBUG, "io_uring registered files off: " + Errno.describe((int) -r));
      return 0;
    }
    return size;
  }

  @Override
  public String name() {
    return "uring";
  }

  @Override
  boolean requiresNativeBuffers() {
    return true;
  }

  @Override
  boolean isEngineThread() {
    return Thread.currentThread() == completionThread;
  }

  /** The completion thread (tests check that close stops it). */
  Thread completionThread() {
    return completionThread;
  }

  /** Whether this engine registered its file table (files then go through IOSQE_FIXED_FILE). */
  public boolean usesRegisteredFiles() {
    return fileTableSize > 0;
  }

  @Override
  public IoFile open(Path path, FileOpenOptions o) {
    if (isClosing()) throw engineClosed();
    int flags = (o.write() ? LinuxNative.O_RDWR : LinuxNative.O_RDONLY)
        | (o.create() ? LinuxNative.O_CREAT : 0) | (o.direct() ? nat.oDirect() : 0);
    long fd = nat.open(path, flags);
    if (fd < 0) throw new IoFailedException("open", path, -1, 0, (int) -fd);
    int index = -1;
    if (fileTableSize > 0) {
      synchronized (fileTableUsed) {
        int free = fileTableUsed.nextClearBit(0);
        if (free < fileTableSize && updateFileTable(free, (int) fd)) {
          fileTableUsed.set(free);
          index = free;
        }
      }
    }
    UringFile f = new UringFile(this, nextFileId(), path, o, (int) fd, index);
    openFiles.add(f);
    return f;
  }

  private boolean updateFileTable(int index, int fd) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment fds = a.allocate(ValueLayout.JAVA_INT);
      fds.set(ValueLayout.JAVA_INT, 0, fd);
      MemorySegment upd = a.allocate(FILES_UPDATE_SIZE, 8);
      upd.set(ValueLayout.JAVA_INT, 0, index);
      upd.set(ValueLayout.JAVA_LONG, 8, fds.address());
      long r = nat.ioUringRegister(ringFd, REGISTER_FILES_UPDATE, upd, 1, FILES_UPDATE_SIZE);
      return r >= 0;
    }
  }

  @Override
  public synchronized boolean registerBuffers(MemorySegment segment) {
    if (isClosing()) throw engineClosed();
    if (!segment.isNative() || !segment.scope().isAlive() || segment.byteSize() == 0) {
      throw new IllegalArgumentException("registered buffers must be a live, non-empty native segment");
    }
    unregisterBuffers();
    long n = (segment.byteSize() + MAX_FIXED_BUFFER - 1) / MAX_FIXED_BUFFER;
    if (n > 16384) throw new IllegalArgumentException("region too large to register: " + segment.byteSize());
    try (Arena a = Arena.ofConfined()) {
      MemorySegment iov = a.allocate(n * IOVEC_SIZE, 8);
      for (long i = 0; i < n; i++) {
        long start = i * MAX_FIXED_BUFFER;
        iov.set(ValueLayout.JAVA_LONG, i * IOVEC_SIZE, segment.address() + start);
        iov.set(ValueLayout.JAVA_LONG, i * IOVEC_SIZE + 8, Math.min(MAX_FIXED_BUFFER, segment.byteSize() - start));
      }
      long r = nat.ioUringRegister(ringFd, REGISTER_BUFFERS, iov, (int) n, IOVEC_SIZE);
      if (r < 0) {
        LOG.log(System.Logger.Level.INFO, "io_uring could not register " + segment.byteSize()
            + " bytes of buffers (" + Errno.describe((int) -r) + "); using unregistered buffers");
        return false;
      }
    }
    region = new Region(segment, segment.address(), segment.byteSize());
    return true;
  }

  @Override
  public synchronized void unregisterBuffers() {
    if (region == null) return;
    region = null;
    long r = nat.ioUringRegister(ringFd, UNREGISTER_BUFFERS, MemorySegment.NULL, 0, 0);
    if (r < 0) LOG.log(System.Logger.Level.WARNING, "io_uring unregister buffers: " + Errno.describe((int) -r));
  }

  // ---------------------------------------------------------------------------------------- submission

  @Override
  void dispatch(List<Op> ops) {
    boolean onRing = Thread.currentThread() == completionThread;
    List<Op> batch = new ArrayList<>(ops.size());
    for (Op op : ops) {
      if (onRing) {
        if (!deferred.isEmpty() || !permits.tryAcquire()) {
          deferred.add(op);
          continue;
        }
      } else if (!permits.tryAcquire()) {
        // Out of permits: submit what this call holds first (those permits come back only through
        // completions of submitted requests), then wait.
        submitBatch(batch, false);
        batch.clear();
        permits.acquireUninterruptibly();
      }
      takeSlot(op);
      batch.add(op);
    }
    submitBatch(batch, onRing);
  }

  /** Puts the requests (slots taken) into the SQ; off the completion thread, also enters the kernel. */
  private void submitBatch(List<Op> batch, boolean onRing) {
    if (batch.isEmpty()) return;
    int end;
    sqLock.lock();
    try {
      for (Op op : batch) {
        try {
          prepare(op);
        } catch (RuntimeException e) { // the ring refused to take entries (io_uring_enter failing)
          releaseSlot(op);
          failCause(op, e);
        }
      }
      end = sqTail;
    } finally {
      sqLock.unlock();
    }
    if (!onRing) submitUntil(end);
  }

  private void takeSlot(Op op) {
    synchronized (freeSlots) {
      int s = freeSlots[--freeCount];
      slots[s] = op;
      op.slot = s;
    }
    inFlight.incrementAndGet();
  }

  private void releaseSlot(Op op) {
    synchronized (freeSlots) {
      slots[op.slot] = null;
      freeSlots[freeCount++] = op.slot;
    }
    op.slot = -1;
    inFlight.decrementAndGet();
    permits.release();
  }

  /** Fills the next SQE for {@code op} (continuing from {@code op.done}) and publishes it. Under sqLock. */
  private void prepare(Op op) {
    long sqe = nextSqe();
    int fd = ((UringFile) op.file).fd;
    int fixedIndex = ((UringFile) op.file).fixedIndex;
    byte flags = 0;
    if (fixedIndex >= 0) {
      fd = fixedIndex;
      flags = IOSQE_FIXED_FILE;
    }
    sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_FLAGS, flags);
    sqes.set(ValueLayout.JAVA_INT, sqe + SQE_FD, fd);
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_USER_DATA, op.slot);
    switch (op.request) {
      case IoRequest.Read rd -> rw(sqe, true, rd.buffer(), rd.offset(), op.done);
      case IoRequest.Write w when w.buffers().size() == 1 -> rw(sqe, false, w.buffers().getFirst(), w.offset(), op.done);
      case IoRequest.Write w -> writev(sqe, w, op);
      case IoRequest.Sync s -> {
        sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, OP_FSYNC);
        sqes.set(ValueLayout.JAVA_INT, sqe + SQE_OP_FLAGS, s.dataOnly() ? FSYNC_DATASYNC : 0);
      }
    }
    publish();
  }

  private void rw(long sqe, boolean read, MemorySegment buffer, long offset, long done) {
    long addr = buffer.address() + done;
    long len = buffer.byteSize() - done;
    int fixed = fixedBufferIndex(addr, len);
    byte opcode = fixed >= 0 ? (read ? OP_READ_FIXED : OP_WRITE_FIXED) : (read ? OP_READ : OP_WRITE);
    sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, opcode);
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_OFF, offset + done);
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_ADDR, addr);
    sqes.set(ValueLayout.JAVA_INT, sqe + SQE_LEN, (int) len);
    if (fixed >= 0) sqes.set(ValueLayout.JAVA_SHORT, sqe + SQE_BUF_INDEX, (short) fixed);
  }

  /** The registered buffer holding [addr, addr+len), or -1. */
  private int fixedBufferIndex(long addr, long len) {
    Region r = region;
    if (r == null || addr < r.base || addr + len > r.base + r.size) return -1;
    long first = (addr - r.base) / MAX_FIXED_BUFFER;
    long last = (addr + len - 1 - r.base) / MAX_FIXED_BUFFER;
    return first == last ? (int) first : -1;
  }

  private void writev(long sqe, IoRequest.Write w, Op op) {
    long base = (long) op.slot * options.maxIovecs() * IOVEC_SIZE;
    long skip = op.done;
    int n = 0;
    for (MemorySegment b : w.buffers()) {
      if (skip >= b.byteSize()) {
        skip -= b.byteSize();
        continue;
      }
      long at = base + n * IOVEC_SIZE;
      iovecs.set(ValueLayout.JAVA_LONG, at, b.address() + skip);
      iovecs.set(ValueLayout.JAVA_LONG, at + 8, b.byteSize() - skip);
      skip = 0;
      n++;
    }
    sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, OP_WRITEV);
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_OFF, w.offset() + op.done);
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_ADDR, iovecs.address() + base);
    sqes.set(ValueLayout.JAVA_INT, sqe + SQE_LEN, n);
  }

  /** Returns the offset of a zeroed free SQE, flushing the SQ to the kernel while it is full. */
  private long nextSqe() {
    while (sqTail - (int) INT.getAcquire(sqRing, sqHeadOff) >= sqEntries) {
      if (!enter(pendingSubmissions(), 0, 0)) {
        throw new IoFailedException("io_uring submission queue full and io_uring_enter failing");
      }
    }
    long sqe = (long) (sqTail & sqMask) * SQE_SIZE;
    for (long i = 0; i < SQE_SIZE; i += 8) sqes.set(ValueLayout.JAVA_LONG, sqe + i, 0L);
    return sqe;
  }

  private void publish() {
    sqTail++;
    INT.setRelease(sqRing, sqTailOff, sqTail);
  }

  /** Enters the kernel until the SQ head has passed {@code end} (our entries are consumed). */
  private void submitUntil(int end) {
    while (true) {
      int head = (int) INT.getAcquire(sqRing, sqHeadOff);
      if (end - head <= 0) return;
      int pending = Math.max(0, (int) INT.getAcquire(sqRing, sqTailOff) - head);
      if (!enter(pending, 0, 0)) return;
    }
  }

  /** One io_uring_enter; retries are the caller's loop. False when the ring is unusable. */
  private boolean enter(int toSubmit, int minComplete, int flags) {
    long r = nat.ioUringEnter(ringFd, toSubmit, minComplete, flags);
    if (r >= 0) return true;
    int errno = (int) -r;
    if (errno == Errno.EINTR) return true;
    if (errno == Errno.EAGAIN || errno == Errno.EBUSY) {
      Thread.yield(); // the kernel is short of resources until completions are reaped
      return true;
    }
    LOG.log(System.Logger.Level.ERROR, "io_uring_enter failed: " + Errno.describe(errno));
    return false;
  }

  // --------------------------------------------------------------------------------------- completion

  private void completionLoop() {
    while (true) {
      try {
        reap();
        runDeferred();
        if (stopping && (abandon || (inFlight.get() == 0 && deferred.isEmpty()))) return;
        // The CQ is drained: submit what callbacks queued and wait for the next completion, in one call.
        if (!enter(pendingSubmissions(), 1, ENTER_GETEVENTS)) {
          if (stopping) return;
          LockSupport.parkNanos(1_000_000); // a broken ring: do not spin at full speed
        }
      } catch (RuntimeException e) {
        // Never let the thread die: every request in flight would hang. Log, breathe, go on.
        LOG.log(System.Logger.Level.ERROR, "io_uring completion thread: unexpected exception", e);
        LockSupport.parkNanos(1_000_000);
      }
    }
  }

  /**
   * Entries published but not yet consumed by the kernel. The head is read first: the tail read after it
   * can only be further on, whereas a tail read first may be overtaken by the head (another thread
   * publishing, and the kernel consuming, in between), which would give a negative count.
   */
  private int pendingSubmissions() {
    int head = (int) INT.getAcquire(sqRing, sqHeadOff);
    int tail = (int) INT.getAcquire(sqRing, sqTailOff);
    return Math.max(0, tail - head);
  }

  /** Takes every available CQE; returns how many. */
  private int reap() {
    int head = (int) INT.getAcquire(cqRing, cqHeadOff);
    int tail = (int) INT.getAcquire(cqRing, cqTailOff);
    int n = 0;
    while (head != tail) {
      long cqe = cqesOff + (long) (head & cqMask) * CQE_SIZE;
      long userData = cqRing.get(ValueLayout.JAVA_LONG_UNALIGNED, cqe + CQE_USER_DATA);
      int res = cqRing.get(ValueLayout.JAVA_INT_UNALIGNED, cqe + CQE_RES);
      head++;
      INT.setRelease(cqRing, cqHeadOff, head); // the entry is copied out: the kernel may reuse it
      n++;
      handle(userData, res);
      if (head == tail) tail = (int) INT.getAcquire(cqRing, cqTailOff);
    }
    return n;
  }

  private void handle(long userData, int res) {
    if (userData == WAKE) return;
    if (userData < 0 || userData >= slots.length) {
      LOG.log(System.Logger.Level.WARNING, "io_uring completion for unknown request " + userData);
      return;
    }
    Op op;
    synchronized (freeSlots) {
      op = slots[(int) userData];
    }
    if (op == null) {
      LOG.log(System.Logger.Level.WARNING, "io_uring completion for a free slot " + userData);
      return;
    }
    try {
      if (res < 0) {
        int errno = -res;
        if ((errno == Errno.EINTR || errno == Errno.EAGAIN) && ++op.retries <= MAX_RETRIES) {
          resubmit(op);
          return;
        }
        releaseSlot(op);
        failErrno(op, errno);
        return;
      }
      switch (op.request) {
        case IoRequest.Read rd -> {
          op.done += res;
          // A short read continues; 0 bytes is the end of the file. Under O_DIRECT a short read is
          // always the end (and the remainder would be misaligned).
          if (res > 0 && op.done < rd.length() && !op.file.options().direct()) {
            resubmit(op);
            return;
          }
        }
        case IoRequest.Write w -> {
          op.done += res;
          if (op.done < w.length()) {
            if (res == 0) {
              releaseSlot(op);
              failErrno(op, Errno.EIO);
              return;
            }
            resubmit(op);
            return;
          }
        }
        case IoRequest.Sync s -> { }
      }
      long done = op.done;
      releaseSlot(op);
      complete(op, done);
    } catch (RuntimeException e) {
      // A callback threw: the future is complete by now; do not let it kill the completion thread.
      LOG.log(System.Logger.Level.WARNING, "exception in an I/O completion callback", e);
    }
  }

  private void resubmit(Op op) {
    sqLock.lock();
    try {
      prepare(op);
    } finally {
      sqLock.unlock();
    }
  }

  /** Submits requests the completion thread had to park for want of permits. */
  private void runDeferred() {
    if (deferred.isEmpty()) return;
    sqLock.lock();
    try {
      while (!deferred.isEmpty() && permits.tryAcquire()) {
        Op op = deferred.poll();
        takeSlot(op);
        prepare(op);
      }
    } finally {
      sqLock.unlock();
    }
  }

  // ------------------------------------------------------------------------------------------ closing

  @Override
  void shutdown(boolean stragglers) {
    abandon = stragglers;
    stopping = true;
    sqLock.lock(); // a NOP wakes the completion thread out of its wait
    int end;
    try {
      long sqe = nextSqe();
      sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, OP_NOP);
      sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_USER_DATA, WAKE);
      publish();
      end = sqTail;
    } finally {
      sqLock.unlock();
    }
    submitUntil(end);
    try {
      completionThread.join(options.closeTimeout().toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean threadDone = !completionThread.isAlive();
    ClosedException lost = new ClosedException(name() + " I/O engine (closed before this request completed)");
    if (threadDone) {
      for (Op op : deferred) failCause(op, lost);
      deferred.clear();
      for (int i = 0; i < slots.length; i++) {
        Op op = slots[i];
        if (op != null) {
          releaseSlot(op);
          failCause(op, lost);
        }
      }
      ringClosed = true;
      nat.close(ringFd); // the kernel cancels or waits for whatever it still holds
      nat.munmap(sqes);
      if (cqRing != sqRing) nat.munmap(cqRing);
      nat.munmap(sqRing);
      // The iovec area stays allocated if requests were abandoned: the kernel may not be done reading.
      if (!stragglers) arena.close();
    } else {
      LOG.log(System.Logger.Level.ERROR, "io_uring completion thread did not stop; ring memory left mapped");
    }
  }

  private final class UringFile extends IoFile {
    final int fd;
    final int fixedIndex;

    UringFile(UringIoEngine engine, long id, Path path, FileOpenOptions options, int fd, int fixedIndex) {
      super(engine, id, path, options);
      this.fd = fd;
      this.fixedIndex = fixedIndex;
    }

    @Override
    public long size() {
      if (!acquire()) throw closedException();
      try {
        long r = nat.fileSize(fd);
        if (r < 0) throw new IoFailedException("size of", path(), -1, 0, (int) -r);
        return r;
      } finally {
        release();
      }
    }

    @Override
    protected void closeHandle() {
      openFiles.remove(this);
      if (fixedIndex >= 0) {
        synchronized (fileTableUsed) {
          if (!ringClosed) updateFileTable(fixedIndex, -1);
          fileTableUsed.clear(fixedIndex);
        }
      }
      long r = nat.close(fd);
      if (r < 0) LOG.log(System.Logger.Level.WARNING, "closing " + path() + ": " + Errno.describe((int) -r));
    }
  }
}
