package org.rustydb.engine.btree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rustydb.engine.btree.BTreeTesting.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rustydb.ClosedException;
import org.rustydb.buffer.BufferPool;

class BTreeCursorTest {

  BufferPool pool;
  BTree tree;
  TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);

  @BeforeEach
  void setUp() {
    pool = pool(2048);
    tree = BTree.create(pool, FILE);
    for (int i = 0; i < 20_000; i += 2) { // even keys only: odd ones are gaps
      tree.put(key(i), key(i * 7));
      model.put(key(i), key(i * 7));
    }
    assertThat(tree.height()).isGreaterThanOrEqualTo(2);
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  private static List<String> drain(BTreeCursor c, int limit) {
    List<String> out = new ArrayList<>();
    while (out.size() < limit && c.next()) out.add(new String(c.key()));
    return out;
  }

  private static List<String> strings(Iterable<byte[]> keys, int limit) {
    List<String> out = new ArrayList<>();
    for (byte[] k : keys) {
      if (out.size() == limit) break;
      out.add(new String(k));
    }
    return out;
  }

  /**
   * A scan steps from leaf to leaf along the sibling links while it holds the current one, instead
   * of descending from the root for every leaf: with three large entries to a leaf, a scan of 300 entries
   * touches each leaf once and the inner nodes a few times, not root, inner node and leaf 100 times.
   */
  @Test
  void scansStepAlongSiblingLeavesBothWays() {
    try (BufferPool p = pool(2048)) {
      BTree t = BTree.create(p, FILE);
      for (int i = 0; i < 300; i++) t.put(key(i), new byte[1120]); // inline: three to a leaf
      assertThat(t.height()).isGreaterThanOrEqualTo(2);
      long before = p.stats().hitCount() + p.stats().missCount();
      int n = 0;
      try (BTreeCursor c = t.cursor(null, null, false)) {
        while (c.next()) {
          assertThat(new String(c.key())).isEqualTo(new String(key(n)));
          n++;
        }
      }
      assertThat(n).isEqualTo(300);
      long pagesTouched = p.stats().hitCount() + p.stats().missCount() - before;
      // 325 here stepping along siblings; 2,384 when every leaf took a descent from the meta page (or two:
      // one to the leaf the last key was in, one past its fence)
      assertThat(pagesTouched).as("a few page accesses per leaf, not a descent per leaf").isLessThan(700);

      before = p.stats().hitCount() + p.stats().missCount();
      try (BTreeCursor c = t.cursor(null, null, true)) { // backward, along the prev links
        while (c.next()) {
          n--;
          assertThat(new String(c.key())).isEqualTo(new String(key(n)));
        }
      }
      assertThat(n).isZero();
      assertThat(p.stats().hitCount() + p.stats().missCount() - before).as("backward too").isLessThan(700);
    }
  }

  @Test
  void fromIsInclusiveAndToExclusive() {
    try (BTreeCursor c = tree.cursor(key(10), key(16), false)) {
      assertThat(drain(c, 100)).containsExactly("k00000010", "k00000012", "k00000014");
    }
    try (BTreeCursor c = tree.cursor(key(10), key(16), true)) {
      assertThat(drain(c, 100)).containsExactly("k00000014", "k00000012", "k00000010");
    }
    try (BTreeCursor c = tree.cursor(key(11), key(15), false)) { // bounds on gaps
      assertThat(drain(c, 100)).containsExactly("k00000012", "k00000014");
    }
  }

  @Test
  void emptyRanges() {
    for (boolean desc : new boolean[] {false, true}) {
      try (BTreeCursor c = tree.cursor(key(10), key(10), desc)) {
        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
      }
      try (BTreeCursor c = tree.cursor(key(20), key(10), desc)) {
        assertThat(c.next()).isFalse();
      }
      try (BTreeCursor c = tree.cursor(key(11), key(12), desc)) { // a gap
        assertThat(c.next()).isFalse();
      }
      try (BTreeCursor c = tree.cursor(key(30_000), null, desc)) { // past the end
        assertThat(c.next()).isFalse();
      }
      try (BTreeCursor c = tree.cursor(null, "a".getBytes(), desc)) { // before the start
        assertThat(c.next()).isFalse();
      }
    }
    BTree empty = BTree.create(pool, FILE);
    try (BTreeCursor c = empty.cursor(null, null, false)) {
      assertThat(c.next()).isFalse();
    }
    try (BTreeCursor c = empty.cursor(null, null, true)) {
      assertThat(c.next()).isFalse();
    }
  }

  @Test
  void seekInBothDirections() {
    try (BTreeCursor c = tree.cursor(key(100), key(200), false)) {
      c.seek(key(151));
      assertThat(drain(c, 2)).containsExactly("k00000152", "k00000154");
      c.seek(key(0)); // before the range: clamps to from
      assertThat(drain(c, 1)).containsExactly("k00000100");
      c.seek(key(199)); // past the last entry in range
      assertThat(c.next()).isFalse();
      c.seek(key(198)); // exact hit, then the range ends
      assertThat(drain(c, 5)).containsExactly("k00000198");
    }
    try (BTreeCursor c = tree.cursor(key(100), key(200), true)) {
      c.seek(key(151));
      assertThat(drain(c, 2)).containsExactly("k00000150", "k00000148");
      c.seek(key(500)); // beyond to: the last key below to
      assertThat(drain(c, 1)).containsExactly("k00000198");
      c.seek(key(150)); // inclusive
      assertThat(drain(c, 1)).containsExactly("k00000150");
      c.seek(key(99)); // before from
      assertThat(c.next()).isFalse();
    }
    try (BTreeCursor c = tree.cursor(null, null, false)) {
      c.seek(key(19_999));
      assertThat(c.next()).isFalse();
      c.seek(key(19_998));
      assertThat(drain(c, 5)).containsExactly("k00019998");
    }
  }

  @Test
  void randomRangesAndSeeksMatchTheModel() {
    long seed = seed("btree.seed");
    Random r = new Random(seed);
    // holes of deleted runs: cursors must skip empty leaves
    for (int i = 5000; i < 9000; i += 2) {
      tree.delete(key(i));
      model.remove(key(i));
    }
    for (int round = 0; round < 300; round++) {
      byte[] from = r.nextInt(8) == 0 ? null : key(r.nextInt(21_000));
      byte[] to = r.nextInt(8) == 0 ? null : key(r.nextInt(21_000));
      boolean desc = r.nextBoolean();
      NavigableMap<byte[], byte[]> sub = from == null && to == null ? model
          : from == null ? model.headMap(to, false)
          : to == null ? model.tailMap(from, true)
          : Arrays.compareUnsigned(from, to) >= 0 ? new TreeMap<>(model.comparator())
          : model.subMap(from, true, to, false);
      if (desc) sub = sub.descendingMap();
      try (BTreeCursor c = tree.cursor(from, to, desc)) {
        int limit = 1 + r.nextInt(300);
        boolean limited = r.nextBoolean(); // the cursor's own limit, or the caller stopping
        if (limited) c.limit(limit);
        assertThat(drain(c, limited ? Integer.MAX_VALUE : limit)).as("seed %d round %d limited %s", seed, round, limited)
            .isEqualTo(strings(sub.keySet(), limit));
        if (limited) c.limit(Long.MAX_VALUE); // lifted: the seek below reads on
        byte[] target = key(r.nextInt(21_000));
        c.seek(target);
        List<byte[]> after = sub.keySet().stream()
            .filter(k -> desc ? Arrays.compareUnsigned(k, target) <= 0 : Arrays.compareUnsigned(k, target) >= 0)
            .toList();
        assertThat(drain(c, 50)).as("seed %d round %d seek", seed, round).isEqualTo(strings(after, 50));
      }
    }
  }

  /** A cursor given its length returns that many entries and copies no more out of the tree. */
  @Test
  void aLimitEndsTheScanAndIsAllThatIsCopied() {
    try (BTreeCursor c = tree.cursor(key(100), null, false)) {
      c.limit(5);
      assertThat(drain(c, Integer.MAX_VALUE)).containsExactly("k00000100", "k00000102", "k00000104", "k00000106", "k00000108");
      assertThat(c.hasBuffered()).isFalse(); // without the limit the first batch copies 8
      assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      c.limit(2); // replaces the limit: the scan goes on where it stopped
      assertThat(drain(c, Integer.MAX_VALUE)).containsExactly("k00000110", "k00000112");
      c.limit(0);
      assertThat(c.next()).isFalse();
      assertThatThrownBy(() -> c.limit(-1)).isInstanceOf(IllegalArgumentException.class);
    }
    try (BTreeCursor c = tree.cursor(key(100), null, false)) {
      assertThat(drain(c, 5)).hasSize(5);
      assertThat(c.hasBuffered()).isTrue();
    }
    try (BTreeCursor c = tree.cursor(null, key(10), true)) {
      c.limit(100); // more than the range holds
      assertThat(drain(c, Integer.MAX_VALUE)).containsExactly("k00000008", "k00000006", "k00000004", "k00000002", "k00000000");
    }
  }

  @Test
  void valuesCurrentEntryAndClose() {
    BTreeCursor c = tree.cursor(key(4), null, false);
    assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
    assertThat(c.next()).isTrue();
    assertThat(c.value()).isEqualTo(key(28));
    c.key()[0] = 0; // a copy: does not disturb the cursor
    assertThat(c.next()).isTrue();
    assertThat(c.key()).isEqualTo(key(6));
    c.close();
    assertThatThrownBy(c::next).isInstanceOf(ClosedException.class);
  }

  /** A scan that wants a few entries copies a few, not every overflow value of the leaf it lands in. */
  @Test
  void aShortScanReadsOnlyTheOverflowValuesItIsNear() {
    try (BufferPool pool = pool(256)) {
      BTree big = BTree.create(pool, FILE);
      byte[] value = new byte[3000]; // over the packed limit: one overflow page each
      for (int i = 0; i < 60; i++) big.put(key(i), value); // a leaf holds all 60 references
      long before = pool.stats().hitCount() + pool.stats().missCount();
      try (BTreeCursor c = big.cursor(key(10), null, false)) {
        assertThat(drain(c, 3)).containsExactly("k00000010", "k00000011", "k00000012");
      }
      long pages = pool.stats().hitCount() + pool.stats().missCount() - before;
      assertThat(pages).as("meta, root/leaf and at most " + BTreeCursor.FIRST_BATCH + " overflow pages")
          .isLessThanOrEqualTo(3 + BTreeCursor.FIRST_BATCH);
      try (BTreeCursor c = big.cursor(null, null, false)) {
        assertThat(drain(c, 100)).hasSize(60); // and the batches grow to the end
      }
      try (BTreeCursor c = big.cursor(null, null, true)) {
        List<String> down = drain(c, 100);
        assertThat(down).hasSize(60).startsWith("k00000059", "k00000058");
      }
    }
  }

  /**
   * A scan asks the pool's prefetch threads for the value pages its entries name, instead of reading them
   * one by one: while it scans, this thread's own reads of value pages wait (at most 5 s) until a prefetch
   * thread has read one, so the test does not depend on which thread gets there first; a wait that runs out
   * means the scan read a value page before asking for any.
   */
  @Test
  void aScanPrefetchesTheValuePagesOfItsEntries() throws InterruptedException {
    java.util.Set<Long> valuePages = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.CountDownLatch prefetched = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean scanning = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean waitedInVain = new java.util.concurrent.atomic.AtomicBoolean();
    Thread test = Thread.currentThread();
    org.rustydb.buffer.InMemoryPageFileStore store = new org.rustydb.buffer.InMemoryPageFileStore() {
      @Override
      protected void beforeRead(long pageId) {
        if (!scanning.get()) return;
        if (Thread.currentThread().getName().startsWith("rustydb-prefetch-")) {
          prefetched.countDown();
        } else if (Thread.currentThread() == test && valuePages.contains(pageId)) {
          try {
            if (!prefetched.await(5, java.util.concurrent.TimeUnit.SECONDS)) waitedInVain.set(true);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    store.createFile(FILE);
    try (BufferPool small = new BufferPool(store, org.rustydb.buffer.BufferPoolOptions.builder().frames(64).build())) {
      BTree t = BTree.create(small, FILE);
      for (int i = 0; i < 600; i++) t.put(key(i), new byte[1400]); // ~300 value pages, far more than 64 frames
      small.flushAll();
      for (long no = 1; ; no++) { // every page of the file, to the first one past its end
        long id = org.rustydb.disk.PageId.of(FILE, no);
        try (org.rustydb.buffer.ReadGuard g = small.read(id)) {
          if (PackedValues.isValuePage(g.segment())) valuePages.add(id);
        } catch (RuntimeException pastTheEnd) {
          break;
        }
      }
      assertThat(valuePages).hasSizeGreaterThan(150);
      for (int i = 599; i >= 540; i--) assertThat(t.get(key(i))).hasSize(1400); // the scan's pages leave the pool
      scanning.set(true);
      try (BTreeCursor c = t.cursor(key(0), null, false)) {
        for (int i = 0; i < 100; i++) {
          assertThat(c.next()).isTrue();
          assertThat(c.value()).hasSize(1400);
        }
      }
      assertThat(prefetched.getCount()).as("a prefetch thread read a page for the scan").isZero();
      assertThat(waitedInVain).as("the scan's first value page was asked of the prefetch threads").isFalse();
    }
  }
}
