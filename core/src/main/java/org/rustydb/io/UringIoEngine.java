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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.rustydb.ClosedException;
import org.rustydb.OperationFailedException;

/**
 * Linux io_uring driven directly through the FFM API: no JNI, no liburing. One ring per engine.
 *
 * <h2>One thread owns the ring</h2>
 * A named ring thread ({@code rustydb-io-uring-N}) is the only thread that fills submission entries,
 * calls {@code io_uring_enter} and reaps completions. Other threads hand their requests over through a
 * lock-free queue ({@link #incoming}) and, only when the ring thread is asleep in the kernel, wake it by
 * writing to an eventfd on which the ring always keeps a read outstanding. Each round the ring thread
 * takes everything handed over, fills as many entries as fit, and submits them and waits for the next
 * completion in one {@code io_uring_enter(GETEVENTS, min_complete)}; callbacks that run on it (a closed
 * loop issuing the next read, a continued short transfer, a sync released by its writes) queue without
 * any hand-off, and go out at once while more completions of the same burst wait to be handled (see
 * {@link #submitNow()}), else with the round's system call.
 *
 * <p>Because one thread does everything, the ring is set up the way fio sets up its own:
 * {@code IORING_SETUP_COOP_TASKRUN | SINGLE_ISSUER | DEFER_TASKRUN} (completion work runs in batches
 * when the ring thread waits, with no interrupt or signal per completion), on top of
 * {@code CQSIZE | CLAMP | SUBMIT_ALL}. Kernels that refuse a flag (EINVAL) get the ring without it,
 * newest flag first; which flags were used is logged once per JVM. A single-issuer ring is created
 * disabled ({@code R_DISABLED}) and enabled by the ring thread, which makes that thread its issuer;
 * registrations (buffers, file table updates) are also run on the ring thread, as the kernel requires.
 *
 * <h2>Back-pressure</h2>
 * At most as many requests as the completion queue has entries, less the one kept for the wake read, are
 * in the ring ({@link #slots}), so the CQ cannot overflow; the rest wait in {@link #pending} on the ring
 * thread. Submitters never block. EINTR, EAGAIN and EBUSY from enter are retried.
 *
 * <h2>Completions</h2>
 * {@code res < 0} is an errno: EINTR/EAGAIN resubmit the request (a few times), others fail it with
 * {@link IoFailedException} naming the errno. A short transfer is continued from where it stopped; a read
 * returning 0 is the end of the file and completes short.
 *
 * <h2>Registered buffers</h2>
 * {@link #registerBuffers} pins one caller-provided region (the buffer pool's frames) as fixed buffers,
 * in chunks of at most 1 GiB; a single-buffer read or write lying wholly inside one chunk then goes out
 * as {@code READ_FIXED}/{@code WRITE_FIXED} with that chunk's index ({@link #fixedBufferTransfers()}
 * counts them). A region whose arena was closed is never used for fixed I/O again (its pinned pages
 * would no longer be the memory at those addresses).
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
  private static final AtomicBoolean FLAGS_LOGGED = new AtomicBoolean();

  /** Setup flags asked for when the kernel has them, dropped newest (highest bit) first on EINVAL. */
  static final int OPTIONAL_SETUP_FLAGS =
      SETUP_SUBMIT_ALL | SETUP_COOP_TASKRUN | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN;

  private final LinuxNative nat;
  private final Arena arena = Arena.ofShared();
  private final int ringFd;
  private final int setupFlags;
  private final int eventFd;
  /** Where the ring's read of the eventfd lands (8 bytes, the counter). */
  private final MemorySegment wakeBuffer;
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

  // Ring-thread state: touched only by the ring thread (and by shutdown after that thread has ended).
  private int sqTail;
  private final Op[] slots;
  private final int[] freeSlots;
  private int freeCount;
  private int inFlight;
  private final ArrayDeque<Op> pending = new ArrayDeque<>();
  private boolean wakeArmed;
  private boolean selfWoken;
  private final MemorySegment iovecs;

  // Hand-off from other threads.
  private final ConcurrentLinkedQueue<Op> incoming = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<FutureTask<?>> commands = new ConcurrentLinkedQueue<>();
  /** The ring thread is (about to be) waiting in the kernel: a hand-off must wake it. */
  private volatile boolean sleeping;
  /** An eventfd write is on its way and its completion not yet reaped: no need for another. */
  private final AtomicBoolean wakeSignalled = new AtomicBoolean();

  private volatile Region region;
  private final LongAdder fixedTransfers = new LongAdder();
  private final int fileTableSize;
  private final BitSet fileTableUsed = new BitSet();

  private final Thread ringThread;
  private volatile boolean stopping;
  private volatile boolean abandon;
  private volatile boolean ringExited;
  private volatile boolean ringClosed;

  /** A registered buffer region: fixed buffer i covers [base + i*MAX_FIXED_BUFFER, ...). */
  private record Region(MemorySegment segment, long base, long size) {}

  /**
   * Builds a ring of {@link IoOptions#queueDepth()} entries. Fails with {@link OperationFailedException}
   * saying why when io_uring is unavailable; {@link IoEngines#create} checks first and falls back.
   */
  public UringIoEngine(IoOptions options) {
    this(options, OPTIONAL_SETUP_FLAGS);
  }

  /** As above, asking only for the optional setup flags in {@code optionalFlags} (tests use it). */
  UringIoEngine(IoOptions options, int optionalFlags) {
    super(options);
    nat = LinuxNative.get().orElseThrow(() ->
        new OperationFailedException("io_uring unavailable: " + LinuxNative.unavailableReason()));
    MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
    int wanted = optionalFlags & OPTIONAL_SETUP_FLAGS;
    int flags;
    long fd;
    while (true) {
      flags = SETUP_CQSIZE | SETUP_CLAMP | wanted | ((wanted & SETUP_SINGLE_ISSUER) != 0 ? SETUP_R_DISABLED : 0);
      params.fill((byte) 0);
      params.set(ValueLayout.JAVA_INT, P_CQ_ENTRIES, options.queueDepth() * 2);
      params.set(ValueLayout.JAVA_INT, P_FLAGS, flags);
      fd = nat.ioUringSetup(options.queueDepth(), params);
      if (fd != -Errno.EINVAL || wanted == 0) break;
      wanted &= ~Integer.highestOneBit(wanted); // an older kernel: drop the newest flag and try again
    }
    if (fd < 0) {
      arena.close();
      throw new OperationFailedException("io_uring_setup failed: " + Errno.describe((int) -fd));
    }
    ringFd = (int) fd;
    setupFlags = flags;
    long efd = nat.eventfd();
    if (efd < 0) {
      nat.close(ringFd);
      arena.close();
      throw new OperationFailedException("eventfd for the io_uring ring failed: " + Errno.describe((int) -efd));
    }
    eventFd = (int) efd;
    wakeBuffer = arena.allocate(ValueLayout.JAVA_LONG);
    MemorySegment sq = null, cq = null, se = null;
    try {
      sqEntries = params.get(ValueLayout.JAVA_INT, P_SQ_ENTRIES);
      int cqEntries = params.get(ValueLayout.JAVA_INT, P_CQ_ENTRIES);
      int features = params.get(ValueLayout.JAVA_INT, P_FEATURES);
      if (sqEntries <= 0 || cqEntries <= 1 || Integer.bitCount(sqEntries) != 1 || Integer.bitCount(cqEntries) != 1) {
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
      if (sqMask != sqEntries - 1 || cqMask != cqEntries - 1 || cqes % CQE_SIZE != 0
          || sqArray + (long) sqEntries * 4 > sq.byteSize() || cqSize > cq.byteSize()) {
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
      int slotCount = cqEntries - 1; // one CQE is kept for the eventfd read
      slots = new Op[slotCount];
      freeSlots = new int[slotCount];
      for (int i = 0; i < slotCount; i++) freeSlots[i] = slotCount - 1 - i;
      freeCount = slotCount;
      iovecs = arena.allocate((long) slotCount * options.maxIovecs() * IOVEC_SIZE, 8);
      fileTableSize = registerFileTable(options.registeredFiles()); // before enabling: any thread may
    } catch (RuntimeException e) {
      releaseRing(se, cq, sq);
      throw e;
    }
    CompletableFuture<Void> started = new CompletableFuture<>();
    ringThread = Thread.ofPlatform().daemon().name("rustydb-io-uring-" + ENGINES.incrementAndGet())
        .unstarted(() -> ringLoop(started));
    ringThread.start();
    try {
      IoEngine.await(started);
    } catch (RuntimeException e) {
      Threads.joinUninterruptibly(ringThread);
      releaseRing(se, cq, sq);
      throw e;
    }
    if (FLAGS_LOGGED.compareAndSet(false, true)) {
      int refused = (optionalFlags & OPTIONAL_SETUP_FLAGS) & ~flags;
      LOG.log(System.Logger.Level.INFO, "io_uring ring set up with " + describeSetupFlags(flags)
          + (refused == 0 ? "" : " (the kernel refused " + describeSetupFlags(refused) + ")"));
    }
  }

  private void releaseRing(MemorySegment se, MemorySegment cq, MemorySegment sq) {
    if (se != null) nat.munmap(se);
    if (cq != null && cq != sq) nat.munmap(cq);
    if (sq != null) nat.munmap(sq);
    nat.close(eventFd);
    nat.close(ringFd);
    arena.close();
  }


  /** Names the setup flags in {@code flags}, e.g. {@code CQSIZE|CLAMP|SUBMIT_ALL|COOP_TASKRUN}. */
  static String describeSetupFlags(int flags) {
    List<String> names = new ArrayList<>();
    if ((flags & SETUP_CQSIZE) != 0) names.add("CQSIZE");
    if ((flags & SETUP_CLAMP) != 0) names.add("CLAMP");
    if ((flags & SETUP_R_DISABLED) != 0) names.add("R_DISABLED");
    if ((flags & SETUP_SUBMIT_ALL) != 0) names.add("SUBMIT_ALL");
    if ((flags & SETUP_COOP_TASKRUN) != 0) names.add("COOP_TASKRUN");
    if ((flags & SETUP_SINGLE_ISSUER) != 0) names.add("SINGLE_ISSUER");
    if ((flags & SETUP_DEFER_TASKRUN) != 0) names.add("DEFER_TASKRUN");
    return names.isEmpty() ? "no flags" : String.join("|", names);
  }

  /** The io_uring_setup flags this ring was created with. */
  int setupFlags() {
    return setupFlags;
  }

  /** Reads and writes that went out as READ_FIXED / WRITE_FIXED through a registered buffer. */
  public long fixedBufferTransfers() {
    return fixedTransfers.sum();
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
    return Thread.currentThread() == ringThread;
  }

  /** The ring thread (tests check that close stops it). */
  Thread ringThread() {
    return ringThread;
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
      synchronized (fileTableUsed) { // reserve a slot; the ring thread is not waited for under the lock
        int free = fileTableUsed.nextClearBit(0);
        if (free < fileTableSize) {
          fileTableUsed.set(free);
          index = free;
        }
      }
      int slot = index;
      if (slot >= 0 && !onRing(() -> updateFileTable(slot, (int) fd))) {
        synchronized (fileTableUsed) {
          fileTableUsed.clear(slot);
        }
        index = -1;
      }
    }
    UringFile f = new UringFile(this, nextFileId(), path, o, (int) fd, index);
    openFiles.add(f);
    return f;
  }

  /** Points slot {@code index} of the registered file table at {@code fd} (-1 empties it). Ring thread. */
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

  /**
   * Registers {@code segment} as the ring's fixed buffers (replacing any region registered before), so
   * that reads and writes of one buffer lying inside it use READ_FIXED / WRITE_FIXED. The region is split
   * into chunks of at most 1 GiB, each one registered buffer. Returns false, with one logged notice, when
   * the kernel refuses (typically RLIMIT_MEMLOCK on kernels that account pinned pages to it); I/O then
   * goes on with unregistered buffers.
   */
  @Override
  public boolean registerBuffers(MemorySegment segment) {
    if (isClosing()) throw engineClosed();
    if (!segment.isNative() || !segment.scope().isAlive() || segment.byteSize() == 0) {
      throw new IllegalArgumentException("registered buffers must be a live, non-empty native segment");
    }
    long n = (segment.byteSize() + MAX_FIXED_BUFFER - 1) / MAX_FIXED_BUFFER;
    if (n > 16384) throw new IllegalArgumentException("region too large to register: " + segment.byteSize());
    return onRing(() -> {
      unregisterNow();
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
    });
  }

  @Override
  public void unregisterBuffers() {
    if (region == null || ringClosed) return;
    onRing(() -> {
      unregisterNow();
      return null;
    });
  }

  private void unregisterNow() {
    if (region == null) return;
    region = null;
    long r = nat.ioUringRegister(ringFd, UNREGISTER_BUFFERS, MemorySegment.NULL, 0, 0);
    if (r < 0) LOG.log(System.Logger.Level.WARNING, "io_uring unregister buffers: " + Errno.describe((int) -r));
  }

  /**
   * Runs {@code work} on the ring thread (a single-issuer ring accepts registrations only from there) and
   * returns its result. Once the ring thread has ended, runs it here.
   */
  private <T> T onRing(Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(work);
    if (Thread.currentThread() == ringThread || ringExited) {
      task.run();
    } else {
      commands.add(task);
      wakeRing();
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get(10, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (ringExited && commands.remove(task)) task.run();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) throw re;
          if (e.getCause() instanceof Error err) throw err;
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------- submission

  @Override
  void dispatch(List<Op> ops) {
    if (Thread.currentThread() == ringThread) {
      pending.addAll(ops); // goes out with this round's io_uring_enter
      return;
    }
    incoming.addAll(ops);
    if (ringExited) {
      failHandedOver(); // too late: the ring thread is gone (only after an abandoning close)
      return;
    }
    wakeRing();
  }

  /** Makes sure the ring thread looks at the hand-off queues soon: writes the eventfd if it sleeps. */
  private void wakeRing() {
    if (sleeping && wakeSignalled.compareAndSet(false, true)) {
      long r = nat.signalEventFd(eventFd);
      if (r < 0) {
        wakeSignalled.set(false);
        LOG.log(System.Logger.Level.ERROR, "io_uring wake-up eventfd write failed: " + Errno.describe((int) -r));
      }
    }
  }

  private void takeSlot(Op op) {
    int s = freeSlots[--freeCount];
    slots[s] = op;
    op.slot = s;
    inFlight++;
  }

  private void releaseSlot(Op op) {
    slots[op.slot] = null;
    freeSlots[freeCount++] = op.slot;
    op.slot = -1;
    inFlight--;
  }

  private int sqSpace() {
    return sqEntries - (sqTail - (int) INT.getAcquire(sqRing, sqHeadOff));
  }

  /** Turns pending requests into SQEs while slots and SQ space last, and publishes the new tail. */
  private void fillSubmissionQueue() {
    int before = sqTail;
    if (!wakeArmed && !stopping && sqSpace() > 0) armWake();
    while (!pending.isEmpty() && freeCount > 0 && sqSpace() > 0) {
      Op op = pending.poll();
      takeSlot(op);
      try {
        prepare(op);
      } catch (RuntimeException e) {
        releaseSlot(op);
        failCause(op, e);
      }
    }
    if (sqTail != before) INT.setRelease(sqRing, sqTailOff, sqTail);
  }

  /** Keeps a read of the eventfd in the ring: a write to it from a submitter ends the ring thread's wait. */
  private void armWake() {
    long sqe = nextSqe();
    sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, OP_READ);
    sqes.set(ValueLayout.JAVA_INT, sqe + SQE_FD, eventFd);
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_ADDR, wakeBuffer.address());
    sqes.set(ValueLayout.JAVA_INT, sqe + SQE_LEN, (int) wakeBuffer.byteSize());
    sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_USER_DATA, WAKE);
    sqTail++;
    wakeArmed = true;
  }

  /** Fills the next SQE for {@code op} (continuing from {@code op.done}). The caller publishes the tail. */
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
    sqTail++;
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
    if (fixed >= 0) {
      sqes.set(ValueLayout.JAVA_SHORT, sqe + SQE_BUF_INDEX, (short) fixed);
      fixedTransfers.increment();
    }
  }

  /**
   * The registered buffer holding [addr, addr+len), or -1 (no region, outside it, straddling two 1 GiB
   * chunks, or a region whose memory was freed: its pinned pages are no longer what those addresses hold).
   */
  private int fixedBufferIndex(long addr, long len) {
    Region r = region;
    if (r == null || addr < r.base || len > r.size || addr - r.base > r.size - len) return -1;
    if (!r.segment.scope().isAlive()) return -1;
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

  /** Returns the offset of the next SQE, zeroed. The caller has checked {@link #sqSpace()}. */
  private long nextSqe() {
    if (sqSpace() <= 0) throw new IllegalStateException("io_uring submission queue full");
    long sqe = (long) (sqTail & sqMask) * SQE_SIZE;
    for (long i = 0; i < SQE_SIZE; i += 8) sqes.set(ValueLayout.JAVA_LONG, sqe + i, 0L);
    return sqe;
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

  // ------------------------------------------------------------------------------------- ring thread

  private void ringLoop(CompletableFuture<Void> started) {
    try {
      if ((setupFlags & SETUP_R_DISABLED) != 0) {
        // Enabling the ring from this thread makes it the ring's single issuer.
        long r = nat.ioUringRegister(ringFd, REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0, 0);
        if (r < 0) {
          started.completeExceptionally(new OperationFailedException(
              "io_uring could not enable its ring: " + Errno.describe((int) -r)));
          return;
        }
      }
      started.complete(null);
      while (true) {
        try {
          if (round()) return;
        } catch (Throwable t) {
          // Never let the thread die: every request in flight would hang. Log, breathe, go on.
          sleeping = false;
          LOG.log(System.Logger.Level.ERROR, "io_uring ring thread: unexpected exception", t);
          LockSupport.parkNanos(1_000_000);
        }
      }
    } finally {
      ringExited = true;
    }
  }

  /**
   * One round: registrations, hand-offs, SQEs, one io_uring_enter that submits and (when there is nothing
   * else to do) waits for a completion, then the completions. True when the thread should end.
   */
  private boolean round() {
    for (FutureTask<?> c; (c = commands.poll()) != null; ) c.run();
    for (Op op; (op = incoming.poll()) != null; ) pending.add(op);
    fillSubmissionQueue();
    if (stopping && (abandon || (inFlight == 0 && pending.isEmpty() && incoming.isEmpty()))) {
      if (!wakeArmed || abandon) return true;
      if (!selfWoken) { // complete our own eventfd read, so that no request is left in the ring
        selfWoken = true;
        nat.signalEventFd(eventFd);
      }
    }
    int toSubmit = sqTail - (int) INT.getAcquire(sqRing, sqHeadOff);
    boolean wait = cqReady() == 0 && (pending.isEmpty() || freeCount == 0);
    if (wait) {
      sleeping = true;
      // Dekker with wakeRing(): a hand-off queued before `sleeping` was visible is seen here.
      if (!incoming.isEmpty() || !commands.isEmpty()) wait = false;
    }
    boolean ok = enter(Math.max(0, toSubmit), wait ? 1 : 0, ENTER_GETEVENTS);
    sleeping = false;
    if (!ok) {
      if (stopping) return true;
      LockSupport.parkNanos(1_000_000); // a broken ring: do not spin at full speed
    }
    reap();
    return false;
  }

  private int cqReady() {
    return (int) INT.getAcquire(cqRing, cqTailOff) - (int) INT.getAcquire(cqRing, cqHeadOff);
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
      if (head != tail && !pending.isEmpty()) submitNow();
    }
    return n;
  }

  /**
   * Submits what callbacks queued while more completions wait to be handled, rather than at the end of
   * the round: the device gets each request as soon as it exists, as fio's loop gives it, instead of in
   * bursts that leave it idle while a burst of completions is processed (measured: 4 KiB random reads at
   * depth 32 went from ~86% to ~100% of fio's IOPS). One extra io_uring_enter per burst member; a lone
   * completion's follow-up still goes out with the round's enter.
   */
  private void submitNow() {
    fillSubmissionQueue();
    int n = sqTail - (int) INT.getAcquire(sqRing, sqHeadOff);
    if (n > 0) enter(n, 0, 0);
  }

  private void handle(long userData, int res) {
    if (userData == WAKE) {
      wakeArmed = false; // re-armed by the next round unless stopping
      wakeSignalled.set(false);
      if (res < 0 && res != -Errno.ECANCELED) {
        LOG.log(System.Logger.Level.WARNING, "io_uring wake-up read failed: " + Errno.describe(-res));
      }
      return;
    }
    if (userData < 0 || userData >= slots.length) {
      LOG.log(System.Logger.Level.WARNING, "io_uring completion for unknown request " + userData);
      return;
    }
    Op op = slots[(int) userData];
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
      // A callback threw: the future is complete by now; do not let it kill the ring thread.
      LOG.log(System.Logger.Level.WARNING, "exception in an I/O completion callback", e);
    }
  }

  // ------------------------------------------------------------------------------------ inline requests

  /**
   * Reads, syncs and single-buffer writes can run on the caller's thread ({@link IoEngine#execute}): a plain
   * {@code pread}, {@code pwrite} or {@code fdatasync} on the file's descriptor, without the two thread
   * hand-offs of the ring (submitter to ring thread, completion back), which cost a waiting thread more
   * than the system call itself when the OS cache or a fast disk serves it. Vectored writes always go
   * through the ring.
   */
  @Override
  boolean runsInline(IoRequest r) {
    return switch (r) {
      case IoRequest.Sync s -> true;
      case IoRequest.Write w -> w.buffers().size() == 1;
      case IoRequest.Read rd -> true;
    };
  }

  @Override
  void runInline(Op op) {
    int fd = ((UringFile) op.file).fd;
    int retries = 0;
    switch (op.request) {
      case IoRequest.Write w -> {
        MemorySegment buf = w.buffers().getFirst();
        while (op.done < w.length()) {
          long r = nat.pwrite(fd, buf.asSlice(op.done), w.offset() + op.done);
          if (r < 0) {
            if ((r == -Errno.EINTR || r == -Errno.EAGAIN) && ++retries <= MAX_RETRIES) continue;
            failErrno(op, (int) -r);
            return;
          }
          if (r == 0) {
            failErrno(op, Errno.EIO);
            return;
          }
          op.done += r;
        }
        complete(op, op.done);
      }
      case IoRequest.Sync s -> {
        long r;
        while ((r = nat.sync(fd, s.dataOnly())) == -Errno.EINTR && ++retries <= MAX_RETRIES) {
          // interrupted by a signal before it synced: again
        }
        if (r < 0) failErrno(op, (int) -r); else complete(op, 0);
      }
      case IoRequest.Read rd -> {
        while (op.done < rd.length()) {
          long r = nat.pread(fd, rd.buffer().asSlice(op.done), rd.offset() + op.done);
          if (r < 0) {
            if ((r == -Errno.EINTR || r == -Errno.EAGAIN) && ++retries <= MAX_RETRIES) continue;
            failErrno(op, (int) -r);
            return;
          }
          if (r == 0) break; // the end of the file: complete() reports a short exact read
          op.done += r;
        }
        complete(op, op.done);
      }
    }
  }

  /** Puts a request back at the front of the queue (a retry or the rest of a short transfer). */
  private void resubmit(Op op) {
    releaseSlot(op);
    pending.addFirst(op);
  }

  /** Fails requests handed over after the ring thread ended. */
  private void failHandedOver() {
    ClosedException lost = new ClosedException(name() + " I/O engine (closed before this request completed)");
    for (Op op; (op = incoming.poll()) != null; ) failCause(op, lost);
  }

  // ------------------------------------------------------------------------------------------ closing

  @Override
  void shutdown(boolean stragglers) {
    abandon = stragglers;
    stopping = true;
    nat.signalEventFd(eventFd); // wakes the ring thread out of its wait
    try {
      ringThread.join(options.closeTimeout().toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ringThread.isAlive()) {
      LOG.log(System.Logger.Level.ERROR, "io_uring ring thread did not stop; ring memory left mapped");
      return;
    }
    ClosedException lost = new ClosedException(name() + " I/O engine (closed before this request completed)");
    failHandedOver();
    for (Op op; (op = pending.poll()) != null; ) failCause(op, lost);
    for (Op op : slots) {
      if (op != null) {
        releaseSlot(op);
        failCause(op, lost);
      }
    }
    for (FutureTask<?> c; (c = commands.poll()) != null; ) c.run();
    ringClosed = true;
    region = null;
    nat.close(ringFd); // the kernel cancels or waits for whatever it still holds
    nat.close(eventFd);
    nat.munmap(sqes);
    if (cqRing != sqRing) nat.munmap(cqRing);
    nat.munmap(sqRing);
    // The iovec area and wake buffer stay allocated if requests were abandoned: the kernel may not be
    // done with them.
    if (!stragglers) arena.close();
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
        if (!ringClosed) onRing(() -> updateFileTable(fixedIndex, -1));
        synchronized (fileTableUsed) {
          fileTableUsed.clear(fixedIndex);
        }
      }
      long r = nat.close(fd);
      if (r < 0) LOG.log(System.Logger.Level.WARNING, "closing " + path() + ": " + Errno.describe((int) -r));
    }
  }
}
