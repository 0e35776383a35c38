package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.TreeMap;
import org.rustydb.testing.Seeds;

/**
 * The model for allocator tests: the live blocks by address. Adding a block checks it overlaps no live
 * block; each block is filled with a tag that is checked when it is removed, so a block handed out twice
 * (or written through another block) is caught.
 */
final class LiveBlocks {

  private final TreeMap<Long, Long> ends = new TreeMap<>();
  private final TreeMap<Long, Byte> tags = new TreeMap<>();

  void add(MemorySegment s, byte tag) {
    long start = s.address();
    long end = start + s.byteSize();
    Map.Entry<Long, Long> before = ends.floorEntry(start);
    if (before != null) {
      assertThat(before.getValue()).as("block at 0x%x overlaps the one at 0x%x", start, before.getKey())
          .isLessThanOrEqualTo(start);
    }
    Map.Entry<Long, Long> after = ends.ceilingEntry(start);
    if (after != null && s.byteSize() > 0) {
      assertThat(after.getKey()).as("block at 0x%x overlaps the one at 0x%x", start, after.getKey())
          .isGreaterThanOrEqualTo(end);
    }
    ends.put(start, end);
    tags.put(start, tag);
    s.fill(tag);
  }

  void remove(MemorySegment s) {
    Byte tag = tags.remove(s.address());
    assertThat(tag).as("block at 0x%x is live", s.address()).isNotNull();
    ends.remove(s.address());
    checkFilled(s, tag);
  }

  int size() {
    return ends.size();
  }

  static void checkFilled(MemorySegment s, byte tag) {
    long n = s.byteSize();
    // First, last and a stride in between: enough to see another block's tag.
    for (long i = 0; i < n; i += Math.max(1, n / 16)) {
      assertThat(s.get(ValueLayout.JAVA_BYTE, i)).as("byte %d of block 0x%x", i, s.address()).isEqualTo(tag);
    }
    if (n > 0) assertThat(s.get(ValueLayout.JAVA_BYTE, n - 1)).isEqualTo(tag);
  }

  static long seed(String name) {
    return Seeds.of(name, "seed");
  }
}
