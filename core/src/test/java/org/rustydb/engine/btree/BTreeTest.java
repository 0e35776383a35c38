package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rustydb.engine.btree.BTreeTesting.*;

import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.OperationFailedException;
import org.rustydb.buffer.BufferPool;
import org.rustydb.buffer.BufferPoolOptions;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;

class BTreeTest {

  static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

  @TempDir Path tmp;

  /** Random puts, replaces and deletes against a TreeMap, checking gets, a full scan and verify() as it goes. */
  private void randomOps(BTree t, TreeMap<byte[], byte[]> model, Random r, int ops, int keySpace,
      int keyMin, int keyMax, int valMin, int valMax) {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < keySpace; i++) keys.add(bytes(r, keyMin, keyMax));
    for (int op = 0; op < ops; op++) {
      byte[] k = keys.get(r.nextInt(keys.size()));
      int what = r.nextInt(10);
      if (what < 6) {
        byte[] v = bytes(r, valMin, valMax);
        assertThat(t.put(k, v)).as("put new? op %d", op).isEqualTo(model.put(k, v) == null);
      } else if (what < 9) {
        assertThat(t.delete(k)).as("delete op %d", op).isEqualTo(model.remove(k) != null);
      } else {
        assertThat(t.get(k)).as("get op %d", op).isEqualTo(model.get(k));
      }
    }
    checkContent(t, model);
  }

  static void checkContent(BTree t, NavigableMap<byte[], byte[]> model) {
    assertThat(t.verify()).isEmpty();
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) assertThat(t.get(e.getKey())).isEqualTo(e.getValue());
    List<byte[]> scanned = new ArrayList<>();
    try (BTreeCursor c = t.cursor(null, null, false)) {
      while (c.next()) {
        scanned.add(c.key());
        assertThat(c.value()).isEqualTo(model.get(c.key()));
      }
    }
    assertThat(scanned).containsExactlyElementsOf(model.keySet());
    List<byte[]> back = new ArrayList<>();
    try (BTreeCursor c = t.cursor(null, null, true)) {
      while (c.next()) back.add(c.key());
    }
    assertThat(back).containsExactlyElementsOf(model.descendingKeySet());
  }

  @Test
  void smallKeysReachHeightThreeAndShrinkBack() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    try (BufferPool pool = pool(4096)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      for (int i = 0; i < 40_000; i++) {
        byte[] k = key(r.nextInt(1_000_000));
        byte[] v = bytes(r, 0, 40);
        assertThat(t.put(k, v)).isEqualTo(model.put(k, v) == null);
      }
      assertThat(t.height()).as("seed %d", seed).isGreaterThanOrEqualTo(3);
      checkContent(t, model);
      randomOps(t, model, r, 20_000, 50_000, 1, 12, 0, 60);
      // delete almost everything: merges and root collapses
      List<byte[]> all = new ArrayList<>(model.keySet());
      for (int i = 0; i < all.size() - 5; i++) {
        assertThat(t.delete(all.get(i))).isTrue();
        model.remove(all.get(i));
      }
      checkContent(t, model);
      assertThat(t.height()).as("seed %d", seed).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void keysAndValuesNearTheLimits() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    try (BufferPool pool = pool(8192)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      randomOps(t, model, r, 6_000, 3_000, 200, BTreeNodeLayout.MAX_KEY_SIZE, 700, BTreeNodeLayout.MAX_INLINE_VALUE);
      assertThat(t.height()).as("seed %d", seed).isGreaterThanOrEqualTo(3);
      randomOps(t, model, r, 300, 300, 1, BTreeNodeLayout.MAX_KEY_SIZE, 0, 3 * BTreeNodeLayout.OVERFLOW_CAPACITY);
    }
  }

  /** Puts keys 0..n-1 with random values of {@code min}..{@code max} bytes, in the tree and the model. */
  private static void putAll(BTree t, TreeMap<byte[], byte[]> model, Random r, int n, int min, int max) {
    for (int i = 0; i < n; i++) {
      byte[] v = bytes(r, min, max);
      t.put(key(i), v);
      model.put(key(i), v);
    }
  }

  /** Values just over the inline limit share value pages; freed slots and emptied pages are reused. */
  @Test
  void packedValuesShareValuePagesAndReuseTheirSpace() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    org.rustydb.buffer.InMemoryPageFileStore store = new org.rustydb.buffer.InMemoryPageFileStore();
    try (BufferPool pool = pool(store, 1024)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      putAll(t, model, r, 300, 1400, 1420); // too long for the leaf: two to a value page
      checkContent(t, model);
      long afterLoad = nextPageNo(store);
      assertThat(afterLoad).as("seed %d: 300 values in ~150 value pages, not 300 pages", seed).isLessThan(180);
      for (int round = 0; round < 5; round++) { // replace every value: freed slots are filled again
        for (int i = 0; i < 300; i++) {
          byte[] k = key(r.nextBoolean() ? i : r.nextInt(300));
          byte[] v = bytes(r, 1350, 1420);
          t.put(k, v);
          model.put(k, v);
        }
      }
      checkContent(t, model);
      long afterUpdates = nextPageNo(store);
      assertThat(afterUpdates).as("seed %d", seed).isLessThan(2 * afterLoad);
      for (int i = 0; i < 300; i++) assertThat(t.delete(key(i))).isTrue();
      model.clear();
      checkContent(t, model);
      putAll(t, model, r, 300, 1400, 1420);
      checkContent(t, model);
      long afterRefill = nextPageNo(store);
      assertThat(afterRefill - afterUpdates).as("seed %d: emptied value pages came back from the free list", seed)
          .isLessThanOrEqualTo(2);
      randomOps(t, model, r, 4_000, 600, 1, 40, 900, 2_200); // inline, packed and chained, mixed
    }
  }

  /**
   * Records of a third of a leaf, inserted in random order (YCSB's load): a full leaf first moves entries to
   * a sibling with room, and splits only when neither has any. Splits alone leave about two records per
   * page (1,469-1,472 pages in four runs: halves of three, rarely refilled); with the shift about 2.5
   * (1,216-1,225).
   */
  @Test
  void randomInsertsOfLargeRecordsFillLeavesByMovingEntriesToSiblings() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    org.rustydb.buffer.InMemoryPageFileStore store = new org.rustydb.buffer.InMemoryPageFileStore();
    try (BufferPool pool = pool(store, 4096)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) order.add(i);
      java.util.Collections.shuffle(order, r);
      for (int i : order) {
        byte[] v = bytes(r, 1120, 1120);
        t.put(key(i), v);
        model.put(key(i), v);
      }
      checkContent(t, model);
      assertThat(t.verify()).isEmpty();
      long pages = nextPageNo(store) - 2; // less the meta and free-list pages
      System.out.println("3,000 records of 1,120 bytes in " + pages + " tree pages");
      assertThat(3_000.0 / pages).as("seed %d: records per page", seed).isGreaterThan(2.3);
    }
  }

  /** A packed value replaced by one of the same length is written over in its slot: no page is taken. */
  @Test
  void sameLengthReplacementsOfPackedValuesTakeNoNewPage() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    org.rustydb.buffer.InMemoryPageFileStore store = new org.rustydb.buffer.InMemoryPageFileStore();
    try (BufferPool pool = pool(store, 1024)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      putAll(t, model, r, 300, 1400, 1400);
      long afterLoad = nextPageNo(store);
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 300; i++) {
          byte[] v = bytes(r, 1400, 1400);
          assertThat(t.put(key(i), v)).isFalse();
          model.put(key(i), v);
        }
      }
      checkContent(t, model);
      assertThat(nextPageNo(store)).as("seed %d", seed).isEqualTo(afterLoad + 1);
    }
  }

  /** A damaged value page is reported by get (CorruptionException naming the page) and by verify. */
  @Test
  void aDamagedValuePageIsNamed() {
    try (BufferPool pool = pool(256)) {
      BTree t = BTree.create(pool, FILE);
      t.put(key(1), new byte[1400]);
      t.put(key(2), new byte[1500]);
      long valuePage = -1;
      for (long no = 0; no < 10 && valuePage == -1; no++) {
        long id = org.rustydb.disk.PageId.of(FILE, no);
        try (org.rustydb.buffer.ReadGuard g = pool.read(id)) {
          if (PackedValues.isValuePage(g.segment())) valuePage = id;
        }
      }
      assertThat(valuePage).as("both values share one value page").isNotEqualTo(-1);
      try (org.rustydb.buffer.WriteGuard g = pool.write(valuePage)) {
        new org.rustydb.page.SlottedPage().wrap(g.segment()).delete(0); // key 1's value goes missing
      }
      assertThat(t.get(key(2))).hasSize(1500);
      assertThatThrownBy(() -> t.get(key(1))).isInstanceOf(org.rustydb.CorruptionException.class)
          .hasMessageContaining(org.rustydb.disk.PageId.toString(valuePage)).hasMessageContaining("slot 0 holds no value");
      assertThat(t.verify()).extracting(Object::toString).anyMatch(p -> p.contains("slot 0 holds no value"));
    }
  }

  @Test
  void everySizeClassUpToTheLimitsAndOnePast() {
    try (BufferPool pool = pool(1024)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      int[] keySizes = {0, 1, 2, 8, 16, 100, 255, BTreeNodeLayout.MAX_KEY_SIZE};
      int[] valueSizes = {0, 1, 100, BTreeNodeLayout.MAX_INLINE_VALUE, BTreeNodeLayout.MAX_INLINE_VALUE + 1,
          BTreeNodeLayout.MAX_INLINE_PAYLOAD, BTreeNodeLayout.MAX_INLINE_PAYLOAD + 1, BTreeNodeLayout.MAX_PACKED_VALUE,
          BTreeNodeLayout.MAX_PACKED_VALUE + 1,
          BTreeNodeLayout.OVERFLOW_CAPACITY, BTreeNodeLayout.OVERFLOW_CAPACITY + 1, 100_000, BTreeNodeLayout.MAX_VALUE_SIZE};
      Random r = new Random(7);
      for (int ks : keySizes) {
        for (int vs : valueSizes) {
          byte[] k = new byte[ks];
          r.nextBytes(k);
          byte[] v = new byte[vs];
          r.nextBytes(v);
          t.put(k, v);
          model.put(k, v);
        }
      }
      checkContent(t, model);
      assertThatThrownBy(() -> t.put(new byte[BTreeNodeLayout.MAX_KEY_SIZE + 1], new byte[1]))
          .isInstanceOf(OperationFailedException.class).hasMessage("key too large: 257 bytes, max 256");
      assertThatThrownBy(() -> t.get(new byte[BTreeNodeLayout.MAX_KEY_SIZE + 1]))
          .isInstanceOf(OperationFailedException.class).hasMessage("key too large: 257 bytes, max 256");
      assertThatThrownBy(() -> t.put(new byte[1], new byte[BTreeNodeLayout.MAX_VALUE_SIZE + 1]))
          .isInstanceOf(OperationFailedException.class).hasMessage("value too large: 1048577 bytes, max 1048576");
      checkContent(t, model);
    }
  }

  @Test
  void reopenOnDiskKeepsTheContent() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    Path root = tmp.resolve("db");
    TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
    long meta;
    DataDirectory dir = DataDirectory.create(root);
    DiskManager dm = DiskManager.open(dir);
    int file = dm.createFile("t_idx_btree.dat");
    // a pool smaller than the tree: pages are evicted and read back during the run
    try (BufferPool pool = new BufferPool(dm, BufferPoolOptions.builder().frames(64).build())) {
      BTree t = BTree.create(pool, file);
      meta = t.metaPageId();
      randomOps(t, model, r, 8_000, 5_000, 1, 30, 0, 1500);
      pool.flushAll();
    }
    dm.close();
    dir.close();
    dir = DataDirectory.open(root);
    dm = DiskManager.open(dir);
    try (BufferPool pool = new BufferPool(dm, BufferPoolOptions.builder().frames(64).build())) {
      BTree t = BTree.open(pool, meta);
      checkContent(t, model);
      randomOps(t, model, r, 2_000, 5_000, 1, 30, 0, 100);
      pool.flushAll();
    } finally {
      dm.close();
      dir.close();
    }
  }

  @Test
  void freedPagesAreReused() {
    try (BufferPool pool = pool(1024)) {
      BTree t = BTree.create(pool, FILE);
      for (int i = 0; i < 20_000; i++) t.put(key(i), new byte[i % 100 == 0 ? 3000 : 30]);
      assertThat(t.freePages()).isZero();
      for (int i = 0; i < 20_000; i++) t.delete(key(i));
      long freed = t.freePages();
      assertThat(freed).isGreaterThan(200); // nodes from merges, overflow chains, collapsed roots
      assertThat(t.verify()).isEmpty();
      for (int i = 0; i < 20_000; i++) t.put(key(i), new byte[i % 100 == 0 ? 3000 : 30]);
      assertThat(t.freePages()).isLessThan(freed / 10);
      // replacing an overflow value frees its old chain
      long before = t.freePages();
      t.put(key(0), new byte[1]);
      assertThat(t.freePages()).isEqualTo(before + 1);
      assertThat(t.verify()).isEmpty();
    }
  }

  @Test
  void openRefusesAPageThatIsNotAMetaPage() {
    try (BufferPool pool = pool(64)) {
      BTree t = BTree.create(pool, FILE);
      assertThatThrownBy(() -> BTree.open(pool, t.rootPageId()))
          .isInstanceOf(org.rustydb.CorruptionException.class).hasMessageContaining("not a B+tree meta page");
    }
  }

  @Test
  void bulkLoadThenRandomOps() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    try (BufferPool pool = pool(4096)) {
      BTree t = BTree.create(pool, FILE);
      TreeMap<byte[], byte[]> model = new TreeMap<>(ORDER);
      for (int i = 0; i < 60_000; i++) model.put(key(i * 3), bytes(r, 0, i % 500 == 0 ? 3000 : 20));
      t.bulkLoad(model.entrySet().iterator());
      assertThat(t.height()).isGreaterThanOrEqualTo(3);
      checkContent(t, model);
      // leaves are full: the first insert into one splits it
      randomOps(t, model, r, 20_000, 100_000, 9, 9, 0, 50);
      assertThatThrownBy(() -> t.bulkLoad(List.<Map.Entry<byte[], byte[]>>of().iterator()))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("empty tree");
    }
  }

  @Test
  void bulkLoadRefusesUnsortedInput() {
    try (BufferPool pool = pool(256)) {
      BTree t = BTree.create(pool, FILE);
      List<Map.Entry<byte[], byte[]>> in = new ArrayList<>();
      for (int i = 0; i < 2000; i++) in.add(new AbstractMap.SimpleEntry<>(key(i), new byte[10]));
      in.add(new AbstractMap.SimpleEntry<>(key(5), new byte[10]));
      assertThatThrownBy(() -> t.bulkLoad(in.iterator()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not strictly ascending at entry 2000");
      assertThat(t.verify()).isEmpty();
    }
  }

  @Test
  void verifyReportsACorruptedNode() {
    try (BufferPool pool = pool(256)) {
      BTree t = BTree.create(pool, FILE);
      for (int i = 0; i < 1000; i++) t.put(key(i), new byte[8]);
      assertThat(t.verify()).isEmpty();
      long root = t.rootPageId();
      try (var g = pool.write(root)) {
        BTreeNode n = new BTreeNode(g.segment());
        // swap two separators' offsets: keys out of order
        int a = n.cellOffset(0);
        int b = n.cellOffset(1);
        g.setShort(BTreeNodeLayout.SLOTS_OFFSET, (short) b);
        g.setShort(BTreeNodeLayout.SLOTS_OFFSET + 2, (short) a);
      }
      assertThat(t.verify()).extracting(BTreeVerifier.Problem::what).anyMatch(w -> w.contains("not above key"));
    }
  }
}
