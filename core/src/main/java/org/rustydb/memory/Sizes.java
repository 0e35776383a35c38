package org.rustydb.memory;

/** Byte counts and alignment arithmetic shared by the allocators. */
final class Sizes {

  static final long KiB = 1024;
  static final long MiB = 1024 * KiB;
  static final long GiB = 1024 * MiB;

  private Sizes() {}

  /** "512 KiB", "4 MiB", "1.5 GiB", "100 bytes". */
  static String format(long bytes) {
    if (bytes < KiB) return bytes + " bytes";
    if (bytes < MiB) return trim(bytes / (double) KiB) + " KiB";
    if (bytes < GiB) return trim(bytes / (double) MiB) + " MiB";
    return trim(bytes / (double) GiB) + " GiB";
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
  }

  static boolean isPowerOfTwo(long v) {
    return v > 0 && (v & (v - 1)) == 0;
  }

  /** {@code v} rounded up to a multiple of {@code alignment}, a power of two. */
  static long alignUp(long v, long alignment) {
    return (v + alignment - 1) & -alignment;
  }

  static void checkAlignment(long alignment) {
    if (!isPowerOfTwo(alignment)) {
      throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
    }
  }
}
