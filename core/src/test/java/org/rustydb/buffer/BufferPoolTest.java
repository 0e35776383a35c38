package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rustydb.ClosedException;
import org.rustydb.CorruptionException;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.PageId;
import org.rustydb.stats.BufferPoolStats;

@SuppressWarnings("try") // guards held only to pin a page
class BufferPoolTest {

  static final int FILE = 3;
  InMemoryPageFileStore store;
  BufferPool pool;

  @BeforeEach
  void setUp() {
    store = new InMemoryPageFileStore();
    store.createFile(FILE, 64);
    pool = newPool(4);
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  BufferPool newPool(int frames) {
    return new BufferPool(store, BufferPoolOptions.builder().frames(frames).replacer(LruReplacer::new)
        .prefetch(false).build());
  }

  static long page(long no) {
    return PageId.of(FILE, no);
  }

  /**
   * A read guard that took the biased path (a reader slot, not the latch's shared count) pins its page: the
   * policy proposes it as the victim first (least recently used) and the pool must refuse it, however many
   * misses follow; once the guard closes, the page can go.
   */
  @Test
  void aPageHeldByABiasedReaderIsNeverEvicted() {
    try (WriteGuard g = pool.write(page(1))) {
      g.setLong(100, 0xB1A5EDL);
    }
    ReadGuard held = null;
    for (int i = 0; i < 1000 && held == null; i++) { // the first counted reads after the load turn the bias on
      ReadGuard g = pool.read(page(1));
      if (g.frame.isHeld() && g.frame.sharedCount() == 0) held = g; else g.close();
    }
    assertThat(held).as("a read guard took the biased path").isNotNull();
    long biasedHits = pool.biasedHits();
    assertThat(biasedHits).isPositive();
    Frame f = held.frame;
    try (ReadGuard g = held) {
      for (int no = 2; no < 40; no++) {
        try (ReadGuard other = pool.read(page(no))) {
          assertThat(other.frame).isNotSameAs(f);
        }
        if (no % 5 == 0) {
          try (WriteGuard w = pool.write(page(no))) {
            w.setLong(100, no);
          }
        }
      }
      assertThat(pool.stats().evictions()).as("the misses evicted").isGreaterThan(30);
      assertThat(f.pageId).as("the biased reader's page kept its frame").isEqualTo(page(1));
      assertThat(g.getLong(100)).isEqualTo(0xB1A5EDL);
      assertThat(pool.stats().pinnedFrames()).as("a biased reader counts as a pin").isEqualTo(1);
      assertThat(f.sharedCount()).as("held by its slot, not the count").isZero();
    }
    assertThat(pool.stats().pinnedFrames()).isZero();
    for (int no = 40; no < 50; no++) pool.read(page(no)).close();
    assertThat(f.pageId).as("unpinned, the least recently used page goes").isNotEqualTo(page(1));
    try (ReadGuard g = pool.read(page(1))) { // and it was written back before it went
      assertThat(g.getLong(100)).isEqualTo(0xB1A5EDL);
    }
  }

  @Test
  void writeThenReadSeesTheBytes() {
    try (WriteGuard g = pool.write(page(1))) {
      g.setLong(100, 0x1122334455667788L);
      g.setInt(200, 42);
      g.setByte(300, (byte) 7);
    }
    try (ReadGuard g = pool.read(page(1))) {
      assertThat(g.pageId()).isEqualTo(page(1));
      assertThat(g.getLong(100)).isEqualTo(0x1122334455667788L);
      assertThat(g.getInt(200)).isEqualTo(42);
      assertThat(g.getByte(300)).isEqualTo((byte) 7);
      assertThat(g.segment().byteSize()).isEqualTo(4096);
    }
  }

  @Test
  void overwriteHandsOutAZeroedDirtyPageWithoutReadingIt() {
    try (WriteGuard g = pool.write(page(2))) {
      g.setLong(100, 99);
    }
    pool.flush(page(2));
    try (WriteGuard g = pool.overwrite(page(2))) { // resident: zeroed anyway
      assertThat(g.getLong(100)).isZero();
      g.setLong(200, 7);
    }
    pool.flushAll();
    byte[] junk = new byte[4096];
    java.util.Arrays.fill(junk, (byte) 0x5A);
    store.overwrite(page(3), junk); // a page whose disk copy fails its checksum
    long readsBefore = store.reads(page(3));
    try (WriteGuard g = pool.overwrite(page(3))) {
      assertThat(g.getLong(100)).isZero();
      g.setLong(8, 5);
    }
    assertThat(store.reads(page(3))).isEqualTo(readsBefore);
    pool.flushAll();
    try (BufferPool fresh = newPool(4)) {
      try (ReadGuard g = fresh.read(page(2))) {
        assertThat(g.getLong(100)).isZero();
        assertThat(g.getLong(200)).isEqualTo(7);
      }
      try (ReadGuard g = fresh.read(page(3))) {
        assertThat(g.getLong(8)).isEqualTo(5);
      }
    }
  }

  @Test
  void framesAreSlicesOfOneAlignedRegion() {
    MemorySegment region = pool.frameRegion();
    assertThat(region.byteSize()).isEqualTo(4 * 4096L);
    assertThat(region.address() % 4096).isZero();
    try (ReadGuard g = pool.read(page(0))) {
      long off = g.segment().address() - region.address();
      assertThat(off % 4096).isZero();
      assertThat(off).isBetween(0L, 3 * 4096L);
    }
  }

  @Test
  void guardUseAfterCloseThrowsAndSecondCloseIsHarmless() {
    ReadGuard r = pool.read(page(1));
    r.close();
    r.close();
    assertThat(r.isClosed()).isTrue();
    assertThatThrownBy(() -> r.getLong(0)).isInstanceOf(ClosedException.class).hasMessageContaining("3:1");
    assertThatThrownBy(r::segment).isInstanceOf(ClosedException.class);
    WriteGuard w = pool.write(page(1));
    w.close();
    w.close();
    assertThatThrownBy(() -> w.setLong(0, 1)).isInstanceOf(ClosedException.class);
    // the latch was released exactly once: an exclusive acquire now succeeds
    try (WriteGuard again = pool.write(page(1))) {
      again.setLong(64, 5);
    }
  }

  @Test
  void dirtyPageIsWrittenWithChecksumBeforeItsFrameIsReused() {
    try (WriteGuard g = pool.write(page(1))) {
      g.setLong(64, 99);
    }
    assertThat(store.writes()).isZero();
    for (int i = 2; i < 10; i++) {
      try (ReadGuard g = pool.read(page(i))) {
        assertThat(g.getLong(64)).isZero();
      }
    }
    byte[] stored = store.stored(page(1));
    ByteBuffer bb = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bb.getLong(64)).isEqualTo(99);
    assertThat(bb.getInt(16)).isEqualTo(crcWithFieldZero(stored));
    assertThat(pool.stats().evictions()).isEqualTo(5); // 9 pages through 4 frames
    try (ReadGuard g = pool.read(page(1))) {
      assertThat(g.getLong(64)).isEqualTo(99);
    }
  }

  static int crcWithFieldZero(byte[] page) {
    byte[] copy = page.clone();
    copy[16] = copy[17] = copy[18] = copy[19] = 0;
    CRC32C c = new CRC32C();
    c.update(copy);
    return (int) c.getValue();
  }

  @Test
  void pinnedPagesAreNeverEvicted() {
    List<ReadGuard> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) held.add(pool.read(page(i)));
    for (int round = 0; round < 5; round++) {
      for (int i = 10; i < 30; i++) {
        try (ReadGuard g = pool.read(page(i))) {
          assertThat(g.pageId()).isEqualTo(page(i));
        }
      }
    }
    for (int i = 0; i < 3; i++) {
      assertThat(held.get(i).frame.pageId).isEqualTo(page(i));
      assertThat(store.reads(page(i))).isEqualTo(1);
    }
    held.forEach(ReadGuard::close);
    assertThat(pool.stats().pinnedFrames()).isZero();
  }

  @Test
  void allFramesPinnedIsAClearFailureAndThePoolRecovers() {
    List<ReadGuard> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) held.add(pool.read(page(i)));
    assertThat(pool.stats().pinnedFrames()).isEqualTo(4);
    assertThatThrownBy(() -> pool.read(page(9)))
        .isInstanceOf(OperationFailedException.class)
        .hasMessage("buffer pool full: all 4 frames pinned");
    assertThatThrownBy(() -> pool.newPage(FILE)).isInstanceOf(OperationFailedException.class);
    held.forEach(ReadGuard::close);
    try (ReadGuard g = pool.read(page(9))) {
      assertThat(g.pageId()).isEqualTo(page(9));
    }
  }

  @Test
  void newPageIsZeroedDirtyAndAllocatedThroughTheStore() {
    long id;
    try (WriteGuard g = pool.newPage(FILE)) {
      id = g.pageId();
      assertThat(PageId.pageNo(id)).isEqualTo(64);
      assertThat(g.segment().mismatch(MemorySegment.ofArray(new byte[4096]))).isEqualTo(-1);
      g.setLong(40, 1234);
    }
    assertThat(pool.stats().dirtyFrames()).isEqualTo(1);
    pool.flush(id);
    assertThat(ByteBuffer.wrap(store.stored(id)).order(ByteOrder.LITTLE_ENDIAN).getLong(40)).isEqualTo(1234);
    assertThat(store.reads(id)).isZero(); // a new page is never read
  }

  @Test
  void readErrorsOfTheStoreSurfaceAndLeaveThePoolUsable() {
    assertThatThrownBy(() -> pool.read(PageId.of(77, 0)))
        .isInstanceOf(OperationFailedException.class).hasMessageContaining("file 77 does not exist");
    assertThatThrownBy(() -> pool.read(page(500)))
        .isInstanceOf(OperationFailedException.class).hasMessageContaining("past the end");
    BufferPoolStats s = pool.stats();
    assertThat(s.usedFrames()).isZero();
    assertThat(s.pinnedFrames()).isZero();
    for (int i = 0; i < 8; i++) {
      try (ReadGuard g = pool.read(page(i))) {
        assertThat(g.getLong(0)).isZero();
      }
    }
    assertThatThrownBy(() -> pool.read(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pool.read(-5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pool.newPage(78)).isInstanceOf(OperationFailedException.class);
  }

  /** A store that checks checksums as it reads (the disk manager) is trusted: no second CRC per miss. */
  @Test
  void aStoreThatVerifiesChecksumsIsNotCheckedAgain() {
    InMemoryPageFileStore vouching = new InMemoryPageFileStore() {
      @Override
      public boolean verifiesChecksums() {
        return true; // and does not: so the pool's own check shows
      }
    };
    vouching.createFile(FILE, 8);
    byte[] bad = new byte[4096];
    bad[100] = 1;
    vouching.overwrite(page(5), bad);
    try (BufferPool p = new BufferPool(vouching, BufferPoolOptions.builder().frames(4).prefetch(false).build());
        ReadGuard g = p.read(page(5))) {
      assertThat(g.getLong(100)).isEqualTo(1);
    }
  }

  @Test
  void aCorruptPageIsReportedByName() {
    byte[] bad = new byte[4096];
    bad[100] = 1; // not all zero, checksum field 0: mismatch
    store.overwrite(page(5), bad);
    assertThatThrownBy(() -> pool.read(page(5)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("page 3:5")
        .hasMessageContaining("checksum mismatch at offset 16");
    assertThat(pool.stats().usedFrames()).isZero();
    // a page written by the pool verifies
    try (WriteGuard g = pool.write(page(6))) {
      g.setLong(100, 1);
    }
    pool.flushAll();
    pool.dropFile(FILE);
    try (ReadGuard g = pool.read(page(6))) {
      assertThat(g.getLong(100)).isEqualTo(1);
    }
  }

  @Test
  void walHookRunsWithThePageLsnBeforeTheWrite() {
    List<String> events = new ArrayList<>();
    InMemoryPageFileStore s = new InMemoryPageFileStore() {
      @Override
      public void writePage(long pageId, MemorySegment src) {
        events.add("write " + PageId.pageNo(pageId));
        super.writePage(pageId, src);
      }
    };
    s.createFile(FILE, 8);
    try (BufferPool p = new BufferPool(s, BufferPoolOptions.builder().frames(2).replacer(LruReplacer::new)
        .prefetch(false).walFlushHook(lsn -> events.add("wal " + lsn)).build())) {
      try (WriteGuard g = p.write(page(1))) {
        g.setLong(8, 777); // page LSN
      }
      try (WriteGuard g = p.write(page(2))) {
        g.setLong(8, 778);
      }
      p.read(page(3)).close(); // evicts page 1
      assertThat(events).containsExactly("wal 777", "write 1");
      p.flush(page(2));
      assertThat(events).containsExactly("wal 777", "write 1", "wal 778", "write 2");
      p.flush(page(2)); // clean now: nothing
      assertThat(events).hasSize(4);
    }
  }

  /**
   * A miss passes over a dirty victim whose log is not durable yet (its write-back would wait for a log sync)
   * for the next one, asks for the log to be synced soon, and evicts the page once it is, with no sync.
   */
  @Test
  void aMissPassesOverADirtyVictimWhoseLogIsNotDurableYet() {
    long[] durable = {0}; // the log is durable below this LSN
    List<String> events = new ArrayList<>();
    WalFlushHook log = new WalFlushHook() {
      @Override public void flushUpTo(long lsn) {
        if (lsn < durable[0]) return; // durable already: no sync
        events.add("sync " + lsn);
        durable[0] = lsn + 1;
      }
      @Override public boolean isDurable(long lsn) { return lsn < durable[0]; }
      @Override public void flushSoon() { events.add("soon"); }
    };
    InMemoryPageFileStore s = new InMemoryPageFileStore();
    s.createFile(FILE, 1024);
    try (BufferPool p = new BufferPool(s, BufferPoolOptions.builder().frames(128).replacer(LruReplacer::new)
        .prefetch(false).backgroundFlush(false).walFlushHook(log).build())) {
      try (WriteGuard g = p.write(page(1))) {
        g.setLong(8, 500); // the least recently used page: dirty, its log not durable
      }
      for (int i = 2; i <= 128; i++) p.read(page(i)).close();
      p.read(page(200)).close(); // evicts page 2, not page 1
      assertThat(events).containsExactly("soon");
      assertThat(p.victimsPassedOverForLog()).isEqualTo(1);
      assertThat(p.stats().dirtyFrames()).isEqualTo(1);
      assertThat(storedLsn(s, page(1))).as("page 1 not written").isZero();

      durable[0] = 501; // the background sync came
      events.clear();
      for (int i = 201; i < 201 + 127; i++) p.read(page(i)).close(); // page 1 is the LRU victim now
      assertThat(events).as("written with no sync").isEmpty();
      assertThat(p.stats().dirtyFrames()).isZero();
      assertThat(storedLsn(s, page(1))).isEqualTo(500);
      assertThat(p.victimsPassedOverForLog()).isEqualTo(1);
    }
  }

  private static long storedLsn(InMemoryPageFileStore s, long pageId) {
    return ByteBuffer.wrap(s.stored(pageId)).order(ByteOrder.LITTLE_ENDIAN).getLong(8);
  }

  /** Under 128 frames a miss never passes a victim over: the pages kept for eviction are too few. */
  @Test
  void smallPoolsWriteTheDirtyVictimBack() {
    List<Long> synced = new ArrayList<>();
    WalFlushHook log = new WalFlushHook() {
      @Override public void flushUpTo(long lsn) { synced.add(lsn); }
      @Override public boolean isDurable(long lsn) { return false; }
    };
    InMemoryPageFileStore s = new InMemoryPageFileStore();
    s.createFile(FILE, 64);
    try (BufferPool p = new BufferPool(s, BufferPoolOptions.builder().frames(8).replacer(LruReplacer::new)
        .prefetch(false).backgroundFlush(false).walFlushHook(log).build())) {
      try (WriteGuard g = p.write(page(1))) {
        g.setLong(8, 42);
      }
      for (int i = 2; i <= 9; i++) p.read(page(i)).close();
      assertThat(synced).containsExactly(42L);
      assertThat(p.victimsPassedOverForLog()).isZero();
    }
  }

  @Test
  void flushAllWritesEveryDirtyPageAndCountsACheckpoint() {
    for (int i = 0; i < 3; i++) {
      try (WriteGuard g = pool.write(page(i))) {
        g.setLong(48, i + 10);
      }
    }
    assertThat(pool.stats().dirtyFrames()).isEqualTo(3);
    pool.flushAll();
    BufferPoolStats s = pool.stats();
    assertThat(s.dirtyFrames()).isZero();
    assertThat(s.checkpoints()).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      assertThat(ByteBuffer.wrap(store.stored(page(i))).order(ByteOrder.LITTLE_ENDIAN).getLong(48)).isEqualTo(i + 10);
    }
  }

  @Test
  void closeFlushesAndLaterUseThrows() {
    try (WriteGuard g = pool.write(page(2))) {
      g.setLong(48, 5);
    }
    pool.close();
    pool.close();
    assertThat(ByteBuffer.wrap(store.stored(page(2))).order(ByteOrder.LITTLE_ENDIAN).getLong(48)).isEqualTo(5);
    assertThatThrownBy(() -> pool.read(page(1))).isInstanceOf(ClosedException.class).hasMessage("buffer pool is closed");
    assertThatThrownBy(() -> pool.write(page(1))).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> pool.newPage(FILE)).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> pool.optimisticRead(page(1))).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> pool.flush(page(1))).isInstanceOf(ClosedException.class);
    assertThatThrownBy(pool::flushAll).isInstanceOf(ClosedException.class);
    assertThatThrownBy(pool::stats).isInstanceOf(ClosedException.class);
    assertThatThrownBy(() -> pool.dropFile(FILE)).isInstanceOf(ClosedException.class);
  }

  @Test
  void dropFileForgetsPagesWithoutWritingThem() {
    store.createFile(4, 4);
    try (WriteGuard g = pool.write(page(1))) {
      g.setLong(48, 5);
    }
    pool.read(PageId.of(4, 0)).close();
    pool.dropFile(FILE);
    BufferPoolStats s = pool.stats();
    assertThat(s.usedFrames()).isEqualTo(1);
    assertThat(s.dirtyFrames()).isZero();
    assertThat(store.writes()).isZero();
    try (ReadGuard g = pool.read(page(1))) {
      assertThat(g.getLong(48)).isZero();
    }
    try (ReadGuard held = pool.read(page(2))) {
      assertThatThrownBy(() -> pool.dropFile(FILE))
          .isInstanceOf(OperationFailedException.class).hasMessageContaining("page 3:2 is in use");
    }
    assertThat(pool.stats().usedFrames()).isEqualTo(3); // nothing dropped by the refused call
  }

  @Test
  void optimisticReadsValidateUntilAWriterOrAReuseIntervenes() {
    try (WriteGuard g = pool.write(page(1))) {
      g.setLong(64, 1);
    }
    OptimisticGuard o = pool.optimisticRead(page(1));
    assertThat(o.getLong(64)).isEqualTo(1);
    try (ReadGuard r = pool.read(page(1))) {
      assertThat(o.validate()).as("shared holders do not invalidate").isTrue();
    }
    assertThat(o.validate()).isTrue();
    try (WriteGuard g = pool.write(page(1))) {
      g.setLong(64, 2);
    }
    assertThat(o.validate()).isFalse();

    OptimisticGuard o2 = pool.optimisticRead(page(1));
    assertThat(o2.validate()).isTrue();
    for (int i = 10; i < 20; i++) pool.read(page(i)).close(); // evicts page 1, frame reused
    assertThat(o2.validate()).isFalse();

    OptimisticGuard o3 = pool.optimisticRead(page(30)); // not resident: loads it first
    assertThat(o3.validate()).isTrue();
    o3.close();
    assertThatThrownBy(o3::validate).isInstanceOf(ClosedException.class);
  }

  @Test
  void statsCountHitsMissesAndFrames() {
    pool.read(page(1)).close();
    pool.read(page(1)).close();
    pool.read(page(1)).close();
    try (WriteGuard g = pool.write(page(2))) {
      BufferPoolStats s = pool.stats();
      assertThat(s.totalFrames()).isEqualTo(4);
      assertThat(s.usedFrames()).isEqualTo(2);
      assertThat(s.dirtyFrames()).isEqualTo(1);
      assertThat(s.pinnedFrames()).isEqualTo(1);
      assertThat(s.hitCount()).isEqualTo(2);
      assertThat(s.missCount()).isEqualTo(2);
      assertThat(s.hitRate()).isEqualTo(0.5);
      assertThat(s.arcT1Size()).isEqualTo(2); // the policy's resident set (LruReplacer has no lists)
      assertThat(s.evictions()).isZero();
      assertThat(s.prefetches()).isZero();
    }
  }

  @Test
  void hitsReachThePolicy() {
    // LRU over 4 frames: pages 0..3 loaded, then 0 hit, then 4 loaded: the victim must be 1, not 0.
    for (int i = 0; i < 4; i++) pool.read(page(i)).close();
    pool.read(page(0)).close();
    pool.read(page(4)).close();
    long reads0 = store.reads(page(0));
    pool.read(page(0)).close();
    assertThat(store.reads(page(0))).isEqualTo(reads0);
    pool.read(page(1)).close();
    assertThat(store.reads(page(1))).isEqualTo(2);
  }

  @Test
  void aFailedWriteBackKeepsTheVictimResidentAndDirty() {
    java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
    InMemoryPageFileStore s = new InMemoryPageFileStore() {
      @Override
      public void writePage(long pageId, MemorySegment src) {
        if (fail.get()) throw new OperationFailedException("disk full writing page " + PageId.toString(pageId));
        super.writePage(pageId, src);
      }
    };
    s.createFile(FILE, 8);
    try (BufferPool p = new BufferPool(s, BufferPoolOptions.builder().frames(2).replacer(LruReplacer::new)
        .prefetch(false).build())) {
      try (WriteGuard g = p.write(page(1))) {
        g.setLong(64, 11);
      }
      p.read(page(2)).close();
      assertThatThrownBy(() -> p.read(page(3))).isInstanceOf(OperationFailedException.class)
          .hasMessage("disk full writing page 3:1");
      long reads = s.reads();
      try (ReadGuard g = p.read(page(1))) {
        assertThat(g.getLong(64)).isEqualTo(11);
      }
      assertThat(s.reads()).as("page 1 stayed resident").isEqualTo(reads);
      assertThat(p.stats().dirtyFrames()).isEqualTo(1);
      assertThat(p.stats().pinnedFrames()).isZero();
      fail.set(false);
      p.read(page(3)).close();
      p.read(page(4)).close();
      assertThat(ByteBuffer.wrap(s.stored(page(1))).order(ByteOrder.LITTLE_ENDIAN).getLong(64)).isEqualTo(11);
    }
  }

  @Test
  void aFailingWalHookStopsTheWrite() {
    java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
    try (BufferPool p = new BufferPool(store, BufferPoolOptions.builder().frames(2).replacer(LruReplacer::new)
        .prefetch(false).walFlushHook(lsn -> {
          if (fail.get()) throw new OperationFailedException("log not durable up to " + lsn);
        }).build())) {
      try (WriteGuard g = p.write(page(1))) {
        g.setLong(8, 99);
      }
      assertThatThrownBy(() -> p.flush(page(1))).hasMessage("log not durable up to 99");
      p.read(page(2)).close();
      assertThatThrownBy(() -> p.read(page(3))).hasMessage("log not durable up to 99");
      assertThat(store.writes()).isZero();
      assertThat(p.stats().dirtyFrames()).isEqualTo(1);
      fail.set(false);
      p.flushAll();
      assertThat(store.writes()).isEqualTo(1);
    }
  }

  @Test
  void aFreedPageReusedByNewPageComesBackZeroedEvenWhileItsOldImageIsCached() {
    try (WriteGuard g = pool.write(page(7))) {
      g.setLong(64, 123);
    }
    store.freePage(page(7));
    try (WriteGuard g = pool.newPage(FILE)) {
      assertThat(g.pageId()).isEqualTo(page(7));
      assertThat(g.getLong(64)).isZero();
    }
  }

  @Test
  void aGuardUsedAfterThePoolClosedFailsCleanly() {
    ReadGuard g = pool.read(page(1));
    g.close();
    OptimisticGuard o = pool.optimisticRead(page(1));
    pool.close();
    assertThatThrownBy(() -> o.getLong(0)).isInstanceOf(IllegalStateException.class);
  }
}
