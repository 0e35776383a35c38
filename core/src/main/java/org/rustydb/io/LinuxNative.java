package org.rustydb.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every native call RustyDB makes, in one final class (as Lucene's {@code PosixNativeAccess}): the
 * io_uring system calls through libc's variadic {@code syscall}, and {@code open}, {@code close},
 * {@code lseek}, {@code mmap}, {@code munmap}, {@code eventfd}, {@code write}. Method handles are built once; {@link #get()} is empty where
 * they cannot be (not Linux, an unknown architecture, a libc without these symbols), with
 * {@link #unavailableReason()} saying why.
 *
 * <p>Safety rules, so that no call can crash the JVM: memory passed to the kernel is a {@link MemorySegment}
 * whose size is checked against what the kernel will touch before the call; no raw address from Java code
 * reaches a call without such a check; only {@link #mmapShared} and {@link #mmapReadOnly} turn a raw address
 * into a segment, sized to exactly the mapping. Calls return the kernel's result, or minus errno on failure (captured through
 * {@link Linker.Option#captureCallState}), and never throw for an OS error.
 */
@SuppressWarnings("restricted") // the one class allowed to use restricted FFM methods
final class LinuxNative {

  static final int SYS_IO_URING_SETUP = 425;
  static final int SYS_IO_URING_ENTER = 426;
  static final int SYS_IO_URING_REGISTER = 427;

  static final int O_RDONLY = 0;
  static final int O_RDWR = 2;
  static final int O_CREAT = 0100;
  static final int O_CLOEXEC = 02000000;
  static final int SEEK_END = 2;
  static final int PROT_READ = 0x1;
  static final int PROT_READ_WRITE = PROT_READ | 0x2;
  static final int MAP_SHARED = 0x01;
  static final int MAP_POPULATE = 0x8000;

  /** Size of struct io_uring_params, the one argument of io_uring_setup. */
  static final long IO_URING_PARAMS_SIZE = 120;

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private static final String UNAVAILABLE;
  private static final Optional<LinuxNative> INSTANCE;

  static {
    String why = null;
    LinuxNative nat = null;
    try {
      nat = new LinuxNative();
    } catch (Throwable t) {
      why = t.getMessage() == null ? t.toString() : t.getMessage();
    }
    UNAVAILABLE = why;
    INSTANCE = Optional.ofNullable(nat);
  }

  private final MethodHandle syscall;
  private final MethodHandle open;
  private final MethodHandle close;
  private final MethodHandle lseek;
  private final MethodHandle mmap;
  private final MethodHandle munmap;
  private final MethodHandle eventfd;
  private final MethodHandle write;
  private final MethodHandle pread;
  private final MethodHandle pwrite;
  private final MethodHandle fdatasync;
  private final MethodHandle fsync;
  /** The 8-byte value 1 that {@link #signalEventFd} writes (eventfd adds it to its counter). */
  private final MemorySegment one = Arena.global().allocate(ValueLayout.JAVA_LONG);
  private final int oDirect;
  private final ThreadLocal<MemorySegment> captured =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private LinuxNative() {
    if (!System.getProperty("os.name", "").equals("Linux")) {
      throw new UnsupportedOperationException("not Linux (" + System.getProperty("os.name") + ")");
    }
    String arch = System.getProperty("os.arch", "");
    oDirect = switch (arch) {
      case "amd64", "x86_64" -> 040000;
      case "aarch64" -> 0200000;
      default -> throw new UnsupportedOperationException("unsupported architecture " + arch);
    };
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    Linker.Option errno = Linker.Option.captureCallState("errno");
    ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    // long syscall(long number, ...): every variadic argument passed as a full 64-bit register value.
    syscall = linker.downcallHandle(find(libc, "syscall"),
        FunctionDescriptor.of(L, L, L, L, L, L, L, L), errno, Linker.Option.firstVariadicArg(1));
    // int open(const char *path, int flags, ...): the mode is variadic.
    open = linker.downcallHandle(find(libc, "open"),
        FunctionDescriptor.of(I, ValueLayout.ADDRESS, I, I), errno, Linker.Option.firstVariadicArg(2));
    close = linker.downcallHandle(find(libc, "close"), FunctionDescriptor.of(I, I), errno);
    lseek = linker.downcallHandle(find(libc, "lseek"), FunctionDescriptor.of(L, I, L, I), errno);
    mmap = linker.downcallHandle(find(libc, "mmap"), FunctionDescriptor.of(L, L, L, I, I, I, L), errno);
    munmap = linker.downcallHandle(find(libc, "munmap"), FunctionDescriptor.of(I, L, L), errno);
    eventfd = linker.downcallHandle(find(libc, "eventfd"), FunctionDescriptor.of(I, I, I), errno);
    write = linker.downcallHandle(find(libc, "write"), FunctionDescriptor.of(L, I, L, L), errno);
    // ssize_t pread(int fd, void *buf, size_t count, off_t offset): the buffer passed as a segment, so the
    // linker keeps its memory alive for the call.
    pread = linker.downcallHandle(find(libc, "pread"), FunctionDescriptor.of(L, I, ValueLayout.ADDRESS, L, L), errno);
    // ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset): the buffer passed as a segment,
    // so the linker keeps its memory alive for the call.
    pwrite = linker.downcallHandle(find(libc, "pwrite"), FunctionDescriptor.of(L, I, ValueLayout.ADDRESS, L, L), errno);
    fdatasync = linker.downcallHandle(find(libc, "fdatasync"), FunctionDescriptor.of(I, I), errno);
    fsync = linker.downcallHandle(find(libc, "fsync"), FunctionDescriptor.of(I, I), errno);
    one.set(ValueLayout.JAVA_LONG, 0, 1L);
  }

  private static MemorySegment find(SymbolLookup lookup, String name) {
    return lookup.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
  }

  /** The native access, or empty where it cannot work (see {@link #unavailableReason()}). */
  static Optional<LinuxNative> get() {
    return INSTANCE;
  }

  static String unavailableReason() {
    return UNAVAILABLE;
  }

  int oDirect() {
    return oDirect;
  }

  private long errno() {
    return -(int) ERRNO.get(captured.get(), 0L);
  }

  /** io_uring_setup(entries, params): the ring's fd or -errno. {@code params} is struct io_uring_params. */
  long ioUringSetup(int entries, MemorySegment params) {
    requireNative(params, IO_URING_PARAMS_SIZE, "io_uring_params");
    return syscall(SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
  }

  /** io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0): entries consumed, or -errno. */
  long ioUringEnter(int ringFd, int toSubmit, int minComplete, int flags) {
    if (toSubmit < 0 || minComplete < 0) throw new IllegalArgumentException("negative enter count");
    return syscall(SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, 0, 0);
  }

  /**
   * io_uring_register(fd, opcode, arg, nrArgs). {@code arg} holds {@code nrArgs} elements of
   * {@code elementSize} bytes (checked), or is NULL when {@code nrArgs} is 0.
   */
  long ioUringRegister(int ringFd, int opcode, MemorySegment arg, int nrArgs, long elementSize) {
    if (nrArgs < 0) throw new IllegalArgumentException("negative nr_args");
    long address = 0;
    if (nrArgs > 0 || arg.byteSize() > 0) {
      requireNative(arg, nrArgs * elementSize, "io_uring_register argument");
      address = arg.address();
    }
    return syscall(SYS_IO_URING_REGISTER, ringFd, opcode, address, nrArgs, 0, 0);
  }

  private long syscall(long nr, long a, long b, long c, long d, long e, long f) {
    MemorySegment state = captured.get();
    long r;
    try {
      r = (long) syscall.invokeExact(state, nr, a, b, c, d, e, f);
    } catch (Throwable t) {
      throw new IllegalStateException("syscall " + nr + " failed to run", t);
    }
    return r == -1 ? errno() : r;
  }

  /** open(path, flags, 0644) with O_CLOEXEC: the fd or -errno. */
  long open(Path path, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cPath = arena.allocateFrom(path.toString());
      int r = (int) open.invokeExact(captured.get(), cPath, flags | O_CLOEXEC, 0644);
      return r < 0 ? errno() : r;
    } catch (Throwable t) {
      throw new IllegalStateException("open failed to run", t);
    }
  }

  /** close(fd): 0 or -errno. */
  long close(int fd) {
    try {
      int r = (int) close.invokeExact(captured.get(), fd);
      return r < 0 ? errno() : 0;
    } catch (Throwable t) {
      throw new IllegalStateException("close failed to run", t);
    }
  }

  /** The size of the open file {@code fd} (lseek to its end), or -errno. */
  long fileSize(int fd) {
    try {
      long r = (long) lseek.invokeExact(captured.get(), fd, 0L, SEEK_END);
      return r < 0 ? errno() : r;
    } catch (Throwable t) {
      throw new IllegalStateException("lseek failed to run", t);
    }
  }

  /**
   * Maps {@code length} bytes of {@code fd} at {@code offset}, shared and read-write, and returns exactly
   * that memory as a segment (the only place a raw address becomes a segment). Fails with an
   * {@link IoFailedException} naming the errno.
   */
  MemorySegment mmapShared(long length, int fd, long offset, String what) {
    if (length <= 0) throw new IllegalArgumentException("mmap length must be positive: " + length);
    long r;
    try {
      r = (long) mmap.invokeExact(captured.get(), 0L, length, PROT_READ_WRITE, MAP_SHARED | MAP_POPULATE,
          fd, offset);
    } catch (Throwable t) {
      throw new IllegalStateException("mmap failed to run", t);
    }
    if (r == -1L) {
      throw new IoFailedException("mmap " + what + " failed: " + Errno.describe((int) -errno()));
    }
    return MemorySegment.ofAddress(r).reinterpret(length);
  }

  /**
   * Maps {@code length} bytes of {@code fd} at {@code offset}, shared and read-only, as a segment of exactly
   * that size that lives as long as {@code arena}: closing the arena unmaps it (FFM makes a copy that races
   * with the close fail instead of touching unmapped memory). The range may pass the file's end; a copy
   * touching a page past it gets SIGBUS, which the JVM turns into an {@link InternalError} in that copy.
   */
  MemorySegment mmapReadOnly(long length, int fd, long offset, Arena arena, String what) {
    if (length <= 0 || offset < 0) throw new IllegalArgumentException("mmap range " + offset + "+" + length);
    long r;
    try {
      r = (long) mmap.invokeExact(captured.get(), 0L, length, PROT_READ, MAP_SHARED, fd, offset);
    } catch (Throwable t) {
      throw new IllegalStateException("mmap failed to run", t);
    }
    if (r == -1L) {
      throw new IoFailedException("mmap " + what + " failed: " + Errno.describe((int) -errno()));
    }
    return MemorySegment.ofAddress(r).reinterpret(length, arena, this::munmap);
  }

  /** Unmaps a segment returned by {@link #mmapShared}: 0 or -errno. */
  long munmap(MemorySegment mapping) {
    try {
      int r = (int) munmap.invokeExact(captured.get(), mapping.address(), mapping.byteSize());
      return r < 0 ? errno() : 0;
    } catch (Throwable t) {
      throw new IllegalStateException("munmap failed to run", t);
    }
  }

  /** eventfd(0, EFD_CLOEXEC), blocking: the fd or -errno. */
  long eventfd() {
    try {
      int r = (int) eventfd.invokeExact(captured.get(), 0, O_CLOEXEC);
      return r < 0 ? errno() : r;
    } catch (Throwable t) {
      throw new IllegalStateException("eventfd failed to run", t);
    }
  }

  /** Adds 1 to the counter of the eventfd {@code fd} (wakes a read waiting on it): 8 or -errno. */
  long signalEventFd(int fd) {
    try {
      long r = (long) write.invokeExact(captured.get(), fd, one.address(), one.byteSize());
      return r < 0 ? errno() : r;
    } catch (Throwable t) {
      throw new IllegalStateException("write failed to run", t);
    }
  }

  /**
   * pread(fd, buf, buf.byteSize(), offset) in the calling thread: the bytes read (0 at the end of the file)
   * or -errno.
   */
  long pread(int fd, MemorySegment buf, long offset) {
    requireNative(buf, buf.byteSize(), "read buffer");
    try {
      long r = (long) pread.invokeExact(captured.get(), fd, buf, buf.byteSize(), offset);
      return r < 0 ? errno() : r;
    } catch (Throwable t) {
      throw new IllegalStateException("pread failed to run", t);
    }
  }

  /**
   * pwrite(fd, buf, buf.byteSize(), offset) on the calling thread (blocking): the bytes written (possibly
   * fewer) or -errno. {@code buf} must be native memory; it is kept alive for the call.
   */
  long pwrite(int fd, MemorySegment buf, long offset) {
    requireNative(buf, 0, "pwrite buffer");
    if (offset < 0) throw new IllegalArgumentException("negative pwrite offset: " + offset);
    try {
      long r = (long) pwrite.invokeExact(captured.get(), fd, buf, buf.byteSize(), offset);
      return r < 0 ? errno() : r;
    } catch (Throwable t) {
      throw new IllegalStateException("pwrite failed to run", t);
    }
  }

  /** fdatasync(fd) ({@code dataOnly}) or fsync(fd) on the calling thread (blocking): 0 or -errno. */
  long sync(int fd, boolean dataOnly) {
    try {
      int r = dataOnly ? (int) fdatasync.invokeExact(captured.get(), fd) : (int) fsync.invokeExact(captured.get(), fd);
      return r < 0 ? errno() : 0;
    } catch (Throwable t) {
      throw new IllegalStateException((dataOnly ? "fdatasync" : "fsync") + " failed to run", t);
    }
  }

  private static void requireNative(MemorySegment s, long needed, String what) {
    if (!s.isNative()) throw new IllegalArgumentException(what + " must be native memory");
    if (!s.scope().isAlive()) throw new IllegalArgumentException(what + " is no longer alive");
    if (s.byteSize() < needed) {
      throw new IllegalArgumentException(what + " holds " + s.byteSize() + " bytes, needs " + needed);
    }
  }
}
