package org.rustydb.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the Linux kernel offers in huge pages: the reserved pool of explicit huge pages
 * ({@code /proc/meminfo} HugePages_Free, Hugepagesize) for {@code MAP_HUGETLB}, and the transparent huge
 * page mode ({@code /sys/kernel/mm/transparent_hugepage/enabled}) for {@code madvise(MADV_HUGEPAGE)}.
 * Read on demand (large mappings are rare); files that are missing or unreadable mean "none".
 */
record HugePages(long hugePageSize, long freeHugePages, TransparentMode transparent) {

  static final long DEFAULT_HUGE_PAGE_SIZE = 2 * Sizes.MiB;

  /** The kernel's transparent huge page setting. */
  enum TransparentMode { ALWAYS, MADVISE, NEVER, UNKNOWN }

  /** Bytes of explicit huge pages free now. */
  long freeBytes() {
    return freeHugePages * hugePageSize;
  }

  static HugePages probe() {
    return probe(Path.of("/proc/meminfo"), Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
  }

  static HugePages probe(Path meminfo, Path thpEnabled) {
    long size = DEFAULT_HUGE_PAGE_SIZE;
    long free = 0;
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("HugePages_Free:")) {
          free = Long.parseLong(field(line));
        } else if (line.startsWith("Hugepagesize:")) {
          size = Long.parseLong(field(line)) * 1024; // the kernel reports kB
        }
      }
    } catch (IOException | RuntimeException e) {
      free = 0;
    }
    return new HugePages(size > 0 ? size : DEFAULT_HUGE_PAGE_SIZE, Math.max(free, 0), transparentMode(thpEnabled));
  }

  private static String field(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    return parts[0];
  }

  private static TransparentMode transparentMode(Path thpEnabled) {
    try {
      List<String> lines = Files.readAllLines(thpEnabled);
      String s = lines.isEmpty() ? "" : lines.get(0);
      if (s.contains("[always]")) return TransparentMode.ALWAYS;
      if (s.contains("[madvise]")) return TransparentMode.MADVISE;
      if (s.contains("[never]")) return TransparentMode.NEVER;
      return TransparentMode.UNKNOWN;
    } catch (IOException | RuntimeException e) {
      return TransparentMode.UNKNOWN;
    }
  }
}
