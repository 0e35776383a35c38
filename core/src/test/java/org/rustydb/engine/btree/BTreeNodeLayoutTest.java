package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rustydb.engine.btree.BTreeNodeLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.rustydb.page.PageLayout;
import org.rustydb.page.PageType;
import org.rustydb.testing.Seeds;

class BTreeNodeLayoutTest {

  @Test
  void offsetsFollowTheDiagram() {
    assertThat(LEVEL_OFFSET).isEqualTo(PageLayout.HEADER_SIZE).isEqualTo(32);
    assertThat(GARBAGE_OFFSET).isEqualTo(34);
    assertThat(PREV_OFFSET).isEqualTo(36);
    assertThat(NEXT_OFFSET).isEqualTo(44);
    assertThat(PREFIX_LENGTH_OFFSET).isEqualTo(52);
    assertThat(SLOTS_OFFSET).isEqualTo(54);
    assertThat(USABLE).isEqualTo(4042);
    assertThat(MAX_LEAF_CELL).isEqualTo(1347); // a third of USABLE
    assertThat(MAX_INLINE_PAYLOAD).isEqualTo(MAX_LEAF_CELL - 4 - 2).isEqualTo(1341);
    assertThat(MAX_INLINE_VALUE).isEqualTo(1341 - 256);
    assertThat(isInline(23, 1120)).as("a YCSB record under its key").isTrue();
    assertThat(isInline(23, 1319)).isFalse();
    assertThat(3 * MAX_LEAF_CELL).isLessThanOrEqualTo(USABLE);
    assertThat(META_ROOT_OFFSET).isEqualTo(40);
    assertThat(META_HEIGHT_OFFSET).isEqualTo(48);
    assertThat(OVERFLOW_DATA_OFFSET).isEqualTo(44);
    assertThat(OVERFLOW_CAPACITY).isEqualTo(4052);
    // fanout for 8-byte keys: (2 + 8 + 8) bytes of cell + 2 of offset
    assertThat(USABLE / (INNER_CELL_HEADER + 8 + CHILD_SIZE + SLOT_SIZE)).isBetween(100, 250);
  }

  /** A value of the same inline length goes over the old one in place; anything else is not the same length. */
  @Test
  void sameLengthInlineValuesAreOverwrittenInPlace() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment page = arena.allocate(PAGE_SIZE);
      BTreeNode n = BTreeNode.init(page, 77, 0);
      byte[] k = {1, 2, 3};
      n.insertCell(0, BTreeNode.leafCell(new byte[] {0}, new byte[1120]));
      n.insertCell(1, BTreeNode.leafCell(k, new byte[1120]));
      n.insertCell(2, BTreeNode.leafCell(new byte[] {9}, BTreeNode.leafCell(new byte[0], new byte[5])));
      int free = n.totalFree();
      byte[] before = page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      byte[] v = new byte[1120];
      java.util.Arrays.fill(v, 1000, 1010, (byte) 7);
      byte[] cell = BTreeNode.leafCell(k, v);
      assertThat(n.sameInlineLength(1, cell)).isTrue();
      n.overwriteInlineValue(1, cell);
      assertThat(n.inlineValue(1)).isEqualTo(v);
      assertThat(n.totalFree()).isEqualTo(free);
      byte[] after = page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      int changed = 0;
      for (int i = 0; i < PAGE_SIZE; i++) if (before[i] != after[i]) changed++;
      assertThat(changed).as("only the ten changed value bytes").isEqualTo(10);
      assertThat(n.sameInlineLength(1, BTreeNode.leafCell(k, new byte[1119]))).isFalse();
      assertThat(n.sameInlineLength(1, BTreeNode.leafOverflowCell(k, 5, 1120))).isFalse();
      assertThat(n.sameInlineLength(2, BTreeNode.leafCell(new byte[] {9}, new byte[9]))).isTrue();
      n.removeCell(2);
      n.insertCell(2, BTreeNode.leafOverflowCell(new byte[] {9}, 5, 12));
      assertThat(n.sameInlineLength(2, BTreeNode.leafCell(new byte[] {9}, new byte[12]))).isFalse();
    }
  }

  @Test
  void nodeInsertRemoveCompactKeepOrderAndAccounting() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment page = arena.allocate(PAGE_SIZE);
      BTreeNode n = BTreeNode.init(page, 77, 0);
      assertThat(n.pageType()).isEqualTo(PageType.BTREE_LEAF.code());
      assertThat(n.engineId()).isEqualTo(ENGINE_ID);
      assertThat(n.totalFree()).isEqualTo(USABLE);
      for (int i = 0; i < 50; i++) {
        byte[] k = new byte[] {(byte) (i * 7 % 50), (byte) 0x80};
        int at = n.search(k);
        assertThat(at).isNegative();
        n.insertCell(-at - 1, BTreeNode.leafCell(k, new byte[i]));
      }
      for (int i = 1; i < n.count(); i++) assertThat(BTreeNode.compare(n.key(i - 1), n.key(i))).isNegative();
      int before = n.totalFree();
      int len = n.cellLength(10);
      n.removeCell(10);
      assertThat(n.totalFree()).isEqualTo(before + len + SLOT_SIZE);
      n.compact();
      assertThat(n.garbage()).isZero();
      assertThat(n.totalFree()).isEqualTo(before + len + SLOT_SIZE);
      assertThat(n.search(new byte[] {11, (byte) 0x80})).isEqualTo(10);
      assertThat(n.inlineValue(10)).hasSize(23); // key 11 = 7 * 23 mod 50
    }
  }

  @Test
  void prefixIsStoredOnceAndShrinksForAnOutsideKey() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment page = arena.allocate(PAGE_SIZE);
      BTreeNode n = BTreeNode.init(page, 77, 0);
      byte[][] cells = new byte[100][];
      for (int i = 0; i < 100; i++) cells[i] = BTreeNode.leafCell(("user:000" + (1000 + i)).getBytes(), new byte[] {(byte) i});
      n.rewrite(cells, 0, 100);
      assertThat(new String(n.prefix())).isEqualTo("user:00010");
      int stored = n.usedBytes();
      assertThat(stored).isEqualTo(10 + 100 * (4 + 2 + 1 + SLOT_SIZE));
      assertThat(n.key(37)).isEqualTo("user:0001037".getBytes());
      assertThat(n.search("user:0001050".getBytes())).isEqualTo(50);
      assertThat(n.search("user:0001".getBytes())).isEqualTo(-1);
      assertThat(n.search("user:".getBytes())).isEqualTo(-1);
      assertThat(n.search("user:0002".getBytes())).isEqualTo(-101);
      assertThat(n.cell(5)).isEqualTo(cells[5]);
      // a key outside the prefix: the node is rebuilt under the shorter common prefix
      byte[] outside = BTreeNode.leafCell("user:1".getBytes(), new byte[0]);
      assertThat(n.fits(outside)).isTrue();
      n.insertCell(100, outside);
      assertThat(new String(n.prefix())).isEqualTo("user:");
      for (int i = 0; i < 100; i++) assertThat(n.cell(i)).isEqualTo(cells[i]);
      assertThat(n.key(100)).isEqualTo("user:1".getBytes());
      n.removeCell(100);
      n.compact();
      assertThat(new String(n.prefix())).isEqualTo("user:00010");
      assertThat(n.usedBytes()).isEqualTo(stored);
    }
  }

  @Test
  void unsignedOrderAndSeparators() {
    assertThat(BTreeNode.compare(new byte[] {(byte) 0xFF}, new byte[] {1})).isPositive();
    assertThat(BTreeNode.separator("apple".getBytes(), "apricot".getBytes())).isEqualTo("apr".getBytes());
    assertThat(BTreeNode.separator("ab".getBytes(), "abc".getBytes())).isEqualTo("abc".getBytes());
    assertThat(BTreeNode.separator(new byte[0], new byte[] {0})).isEqualTo(new byte[] {0});
    assertThat(BTreeNode.separator("a".getBytes(), "zzzz".getBytes())).isEqualTo("z".getBytes());
  }

  /**
   * compareKey and search (eight bytes at a time, then the tail, with the node prefix split off) against
   * Arrays.compareUnsigned and Arrays.binarySearch, in leaves and inner nodes with and without a stored
   * prefix, for random keys sharing prefixes of every length and holding bytes above 0x7F, and probes that
   * stop inside the prefix.
   */
  @Test
  void compareKeyAgreesWithUnsignedArrayOrder() {
    long seed = Seeds.of("compareKeyAgreesWithUnsignedArrayOrder", "btree.seed");
    java.util.Random r = new java.util.Random(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int round = 0; round < 200; round++) {
        MemorySegment page = arena.allocate(PAGE_SIZE);
        int level = r.nextInt(2);
        BTreeNode n = BTreeNode.init(page, 77, level);
        byte[] common = randomKey(r, r.nextInt(20));
        java.util.TreeSet<byte[]> keys = new java.util.TreeSet<>(java.util.Arrays::compareUnsigned);
        for (int i = 0; i < 20; i++) {
          byte[] k = concat(common, randomKey(r, r.nextInt(30)));
          if (!keys.add(k)) continue;
          n.insertCell(-n.search(k) - 1, level == 0 ? BTreeNode.leafCell(k, new byte[0]) : BTreeNode.innerCell(k, i));
        }
        if (r.nextBoolean()) n.compact(); // stores the keys' common prefix once (the insertions above did not)
        byte[][] sorted = keys.toArray(new byte[0][]);
        for (int q = 0; q < 50; q++) {
          byte[] probe = switch (r.nextInt(3)) {
            case 0 -> concat(java.util.Arrays.copyOf(common, r.nextInt(common.length + 1)), randomKey(r, r.nextInt(30)));
            case 1 -> java.util.Arrays.copyOf(common, r.nextInt(common.length + 1)); // the prefix or part of it
            default -> sorted[r.nextInt(sorted.length)];
          };
          for (int i = 0; i < n.count(); i++) {
            int want = Integer.signum(java.util.Arrays.compareUnsigned(n.key(i), probe));
            assertThat(Integer.signum(n.compareKey(i, probe))).as("seed %d entry %d", seed, i).isEqualTo(want);
          }
          int want = java.util.Arrays.binarySearch(sorted, probe, java.util.Arrays::compareUnsigned);
          assertThat(n.search(probe)).as("seed %d, prefix %d: search", seed, n.prefixLength()).isEqualTo(want);
        }
      }
    }
  }

  private static byte[] randomKey(java.util.Random r, int length) {
    byte[] k = new byte[length];
    for (int i = 0; i < length; i++) k[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 0x7E + r.nextInt(4));
    return k;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
