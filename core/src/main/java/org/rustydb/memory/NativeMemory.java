package org.rustydb.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * The one class that calls native code for memory: {@code mmap}, {@code munmap} and {@code madvise} through
 * FFM downcalls, with the method handles built once. Available only on Linux on x86-64 and AArch64, where
 * the flag values below hold; elsewhere {@link #instance()} is empty and callers fall back to
 * {@code Arena.ofShared().allocate}.
 *
 * <p>Every call checks its arguments before it goes native (page-aligned address, positive length that
 * does not wrap): a bad call is an {@link IllegalArgumentException}, never a crash. Callers pass only
 * ranges they mapped themselves; that part of the bounds check is theirs (see
 * {@link LargeObjectAllocator}).
 */
final class NativeMemory {

  private static final System.Logger LOG = System.getLogger(NativeMemory.class.getName());

  static final int PROT_READ = 0x1;
  static final int PROT_WRITE = 0x2;
  static final int MAP_PRIVATE = 0x02;
  static final int MAP_ANONYMOUS = 0x20;
  static final int MAP_NORESERVE = 0x4000;
  static final int MAP_HUGETLB = 0x40000;
  static final int MADV_DONTNEED = 4;
  static final int MADV_HUGEPAGE = 14;
  static final long PAGE_SIZE = 4096;

  private static final Optional<NativeMemory> INSTANCE = create();

  private final MethodHandle mmap;
  private final MethodHandle munmap;
  private final MethodHandle madvise;
  private final StructLayout callState;
  private final VarHandle errno;

  private NativeMemory(Linker linker, SymbolLookup libc) {
    Linker.Option ccs = Linker.Option.captureCallState("errno");
    this.callState = Linker.Option.captureStateLayout();
    this.errno = callState.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    this.mmap = linker.downcallHandle(
        libc.find("mmap").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
        ccs);
    this.munmap = linker.downcallHandle(
        libc.find("munmap").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
        ccs);
    this.madvise = linker.downcallHandle(
        libc.find("madvise").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
        ccs);
  }

  /** The native memory calls, or empty when this platform has none we trust (then use a JDK arena). */
  static Optional<NativeMemory> instance() {
    return INSTANCE;
  }

  private static Optional<NativeMemory> create() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
      LOG.log(System.Logger.Level.INFO, "mmap is not used on {0}/{1}: large objects come from Arena.ofShared()", os, arch);
      return Optional.empty();
    }
    try {
      Linker linker = Linker.nativeLinker();
      return Optional.of(new NativeMemory(linker, linker.defaultLookup()));
    } catch (RuntimeException | LinkageError e) {
      LOG.log(System.Logger.Level.WARNING, "mmap/munmap/madvise could not be linked; large objects come from Arena.ofShared()", e);
      return Optional.empty();
    }
  }

  /**
   * Maps {@code length} bytes of anonymous, private, read-write memory with extra {@code flags}
   * ({@link #MAP_HUGETLB}, {@link #MAP_NORESERVE}). Returns the address, or {@code -errno} on failure.
   */
  long mapAnonymous(long length, int flags) {
    checkLength(length);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(callState);
      MemorySegment addr = (MemorySegment) mmap.invokeExact(state, MemorySegment.NULL, length,
          PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0L);
      long address = addr.address();
      if (address == -1L) return -(int) errno.get(state, 0L);
      return address;
    } catch (Throwable t) {
      throw rethrow("mmap", t);
    }
  }

  /** Unmaps {@code [address, address+length)}. Returns 0, or the errno. */
  int unmap(long address, long length) {
    checkRange(address, length);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(callState);
      int rc = (int) munmap.invokeExact(state, MemorySegment.ofAddress(address), length);
      return rc == 0 ? 0 : (int) errno.get(state, 0L);
    } catch (Throwable t) {
      throw rethrow("munmap", t);
    }
  }

  /** {@code madvise(address, length, advice)}. Returns 0, or the errno. */
  int advise(long address, long length, int advice) {
    checkRange(address, length);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(callState);
      int rc = (int) madvise.invokeExact(state, MemorySegment.ofAddress(address), length, advice);
      return rc == 0 ? 0 : (int) errno.get(state, 0L);
    } catch (Throwable t) {
      throw rethrow("madvise", t);
    }
  }

  private static void checkLength(long length) {
    if (length <= 0 || length % PAGE_SIZE != 0) {
      throw new IllegalArgumentException("length must be a positive multiple of " + PAGE_SIZE + ": " + length);
    }
  }

  private static void checkRange(long address, long length) {
    checkLength(length);
    if (address <= 0 || address % PAGE_SIZE != 0 || address + length < address) {
      throw new IllegalArgumentException("bad native range: address 0x" + Long.toHexString(address) + ", length " + length);
    }
  }

  private static RuntimeException rethrow(String call, Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(call + " downcall failed", t);
  }
}
