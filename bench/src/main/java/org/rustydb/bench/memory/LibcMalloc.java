package org.rustydb.bench.memory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code malloc} and {@code free} from the C library through plain FFM downcalls: the peer a Java
 * program would use for native memory without an allocator of its own. The benchmark's only native calls.
 */
final class LibcMalloc {

  private static final MethodHandle MALLOC;
  private static final MethodHandle FREE;

  static {
    Linker linker = Linker.nativeLinker();
    MALLOC = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
  }

  private LibcMalloc() {}

  /** The address of {@code size} fresh bytes; throws if malloc returns NULL. */
  static long malloc(long size) {
    try {
      long address = ((MemorySegment) MALLOC.invokeExact(size)).address();
      if (address == 0) throw new OutOfMemoryError("malloc(" + size + ") returned NULL");
      return address;
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Frees what {@link #malloc} returned. */
  static void free(long address) {
    try {
      FREE.invokeExact(MemorySegment.ofAddress(address));
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
