package org.rustydb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.DatabaseFailedException;
import org.rustydb.stats.WalStats;
import org.rustydb.testing.Seeds;

class GroupCommitTest {

  @TempDir Path dir;

  @Test
  void concurrentCommittersShareFsyncsAndEveryCommitIsDurableOnReturn() throws Exception {
    int threads = 16, perThread = 150;
    WalOptions o = WalOptions.builder().segmentSize(256 << 10).bufferSize(32 << 10).build();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> lsns = new ConcurrentLinkedQueue<>();
    WalStats stats;
    try (WalWriter w = WalWriter.open(dir, o)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long txn = t + 1;
        ts.add(Thread.ofPlatform().name("committer-" + t).start(() -> {
          try {
            start.await();
            long prev = w.append(new LogRecord.Begin(txn, Lsn.NULL));
            for (int i = 0; i < perThread; i++) {
              long lsn = w.commit(new LogRecord.Commit(txn, prev, i), Durability.SYNC);
              long durable = w.durableLsn();
              if (lsn >= durable) throw new AssertionError("commit at " + lsn + " returned before durable (" + durable + ")");
              lsns.add(lsn);
              prev = lsn;
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      start.countDown();
      for (Thread t : ts) t.join();
      stats = w.stats();
    }
    assertThat(errors).isEmpty();
    System.out.println("group commit: " + stats);
    assertThat(stats.syncCommits()).isEqualTo(threads * perThread);
    assertThat(stats.fsyncs()).as("fsyncs are shared").isLessThan(stats.syncCommits());
    assertThat(stats.commitsPerFsync()).isGreaterThan(1.0);
    // Every acknowledged commit is in the log, once, at the LSN returned.
    Set<Long> seen = new HashSet<>();
    int commitsRead = 0;
    for (WalTesting.Entry e : WalTesting.readAll(dir.resolve("wal"))) {
      if (e.record() instanceof LogRecord.Commit) {
        commitsRead++;
        seen.add(e.lsn());
      }
    }
    assertThat(commitsRead).isEqualTo(threads * perThread);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(lsns);
  }

  @Test
  void noSyncCommitsBecomeDurableThroughTheWriterThread() {
    WalOptions o = WalTesting.small().toBuilder().noSyncFlushInterval(java.time.Duration.ofMillis(5)).build();
    try (WalWriter w = WalWriter.open(dir, o)) {
      long lsn = w.commit(new LogRecord.Commit(1, 0, 0), Durability.NO_SYNC);
      WalTesting.await(() -> w.durableLsn() > lsn, "the writer thread syncs a NO_SYNC commit");
      assertThat(w.stats().syncCommits()).isZero();
      assertThat(w.stats().commits()).isEqualTo(1);
    }
  }

  /**
   * The append that fills half the buffer has the writer thread write it out at once, not at its next timed
   * round (an hour away here), so appenders find a buffer with room instead of writing and syncing it
   * themselves; appends below half wait for the timer.
   */
  @Test
  void aHalfFullBufferIsWrittenByTheWriterThreadWithoutWaitingForItsTimer() {
    WalOptions o = WalTesting.small().toBuilder().noSyncFlushInterval(java.time.Duration.ofHours(1)).build();
    try (WalWriter w = WalWriter.open(dir, o)) {
      byte[] payload = new byte[1000];
      LogRecord r = new LogRecord.Update(1, 0, 1, 1L, payload, payload);
      int size = LogRecordCodec.size(r);
      int belowHalf = (o.bufferSize() / 2 - 1) / size;
      long lsn = 0;
      for (int i = 0; i < belowHalf; i++) lsn = w.append(r);
      long durableBefore = w.durableLsn();
      java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
      assertThat(w.durableLsn()).as("below half the buffer, nothing is written before the timer").isEqualTo(durableBefore)
          .isLessThanOrEqualTo(lsn);
      long half = w.append(r);
      WalTesting.await(() -> w.durableLsn() > half, "the writer thread writes the half-full buffer");
      assertThat(w.stats().syncCommits()).isZero();
    }
  }

  @Test
  void aFailedFsyncTurnsTheWriterFailedAndIsNeverRetried() {
    FaultyFiles files = new FaultyFiles();
    WalOptions o = WalTesting.small().toBuilder().fileFactory(files).build();
    long acknowledged;
    WalWriter w = WalWriter.open(dir, o);
    try {
      acknowledged = w.commit(new LogRecord.Commit(1, 0, 1), Durability.SYNC);
      files.forcesUntilFailure.set(0);
      long pending = w.append(new LogRecord.Commit(2, 0, 2));
      assertThatThrownBy(() -> w.flushUpTo(pending))
          .isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("fsync")
          .hasRootCauseMessage("injected fsync failure (EIO) on " + dir.resolve("wal").resolve(SegmentNames.name(1)));
      int forcesAfterFailure = files.forces.get();
      // Every later call fails with the cause; none tries the fsync again.
      assertThatThrownBy(() -> w.flushUpTo(pending)).isInstanceOf(DatabaseFailedException.class)
          .hasCauseInstanceOf(java.io.IOException.class);
      assertThatThrownBy(() -> w.append(new LogRecord.Begin(3, 0))).isInstanceOf(DatabaseFailedException.class);
      assertThatThrownBy(() -> w.commit(new LogRecord.Commit(3, 0, 3), Durability.SYNC))
          .isInstanceOf(DatabaseFailedException.class);
      assertThat(files.forces.get()).isEqualTo(forcesAfterFailure);
      assertThat(w.durableLsn()).isLessThanOrEqualTo(pending);
    } finally {
      w.close();
    }
    // Reopening finds everything acknowledged before the failure.
    assertThat(WalTesting.readAll(dir.resolve("wal")).stream().map(WalTesting.Entry::lsn)).contains(acknowledged);
    try (WalWriter again = WalWriter.open(dir, WalTesting.small())) {
      again.commit(new LogRecord.Commit(4, 0, 4), Durability.SYNC);
    }
  }

  @Test
  void aFailedWriteAlsoTurnsTheWriterFailed() {
    FaultyFiles files = new FaultyFiles();
    try (WalWriter w = WalWriter.open(dir, WalTesting.small().toBuilder().fileFactory(files).build())) {
      files.writesUntilFailure.set(0);
      assertThatThrownBy(() -> w.commit(new LogRecord.Commit(1, 0, 1), Durability.SYNC))
          .isInstanceOf(DatabaseFailedException.class).hasRootCauseMessage(
              "injected write failure on " + dir.resolve("wal").resolve(SegmentNames.name(1)));
      assertThatThrownBy(() -> w.append(new LogRecord.Begin(3, 0))).isInstanceOf(DatabaseFailedException.class);
    }
  }

  @Test
  void waitingCommittersOfAFailedRoundAllFail() throws Exception {
    FaultyFiles files = new FaultyFiles();
    WalWriter w = WalWriter.open(dir, WalTesting.small().toBuilder().fileFactory(files).build());
    files.forcesUntilFailure.set(0);
    int threads = 8;
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long txn = t;
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          w.commit(new LogRecord.Commit(txn, 0, 0), Durability.SYNC);
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    for (Thread t : ts) t.join();
    w.close();
    assertThat(errors).hasSize(threads).allMatch(e -> e instanceof DatabaseFailedException);
  }

  /**
   * Shakes the lock-free hand-off: 48 threads (more than the leader's rounds in a row, so leadership
   * passes between threads), a small buffer (appends that find it full flush it themselves), and each
   * thread also re-flushing an LSN it already made durable. Every commit must return durable, and each
   * thread's commits must be in the log in its order.
   */
  @Test
  void manyCommittersWithLeadershipPassingAroundAllReturnDurable() throws Exception {
    long seed = Seeds.of("manyCommittersWithLeadershipPassingAroundAllReturnDurable", "rustydb.test.seed");
    int threads = 48, perThread = 120;
    WalOptions o = WalOptions.builder().segmentSize(128 << 10).bufferSize(16 << 10).build();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    try (WalWriter w = WalWriter.open(dir, o)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long txn = t + 1;
        java.util.Random rnd = new java.util.Random(seed + t);
        ts.add(Thread.ofPlatform().name("committer-" + t).start(() -> {
          try {
            start.await();
            long prev = Lsn.NULL;
            for (int i = 0; i < perThread; i++) {
              if (rnd.nextInt(4) == 0) w.append(new LogRecord.Begin(txn, prev)); // unsynced traffic
              long lsn = w.commit(new LogRecord.Commit(txn, prev, i), Durability.SYNC);
              if (lsn >= w.durableLsn()) throw new AssertionError("commit at " + lsn + " returned before durable");
              if (prev != Lsn.NULL && rnd.nextBoolean()) w.flushUpTo(prev); // already durable: returns at once
              prev = lsn;
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      start.countDown();
      for (Thread t : ts) t.join();
      assertThat(w.stats().syncCommits()).isEqualTo((long) threads * perThread);
    }
    assertThat(errors).isEmpty();
    java.util.Map<Long, Long> lastSeq = new java.util.HashMap<>();
    int commits = 0;
    for (WalTesting.Entry e : WalTesting.readAll(dir.resolve("wal"))) {
      if (e.record() instanceof LogRecord.Commit c) {
        commits++;
        Long before = lastSeq.put(c.txnId(), c.timestampMillis());
        assertThat(c.timestampMillis()).isEqualTo(before == null ? 0 : before + 1);
      }
    }
    assertThat(commits).isEqualTo(threads * perThread);
  }

  /** An fsync failing while many committers wait: every one of them fails, none hangs or returns. */
  @Test
  void aFailureInTheMiddleOfManyRoundsFailsEveryWaiter() throws Exception {
    FaultyFiles files = new FaultyFiles();
    WalWriter w = WalWriter.open(dir, WalTesting.small().toBuilder().fileFactory(files).build());
    files.forcesUntilFailure.set(40);
    int threads = 24;
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long txn = t + 1;
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; ; i++) {
            long lsn = w.commit(new LogRecord.Commit(txn, 0, i), Durability.SYNC);
            if (lsn >= w.durableLsn()) throw new AssertionError("returned before durable");
            acknowledged.incrementAndGet();
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    for (Thread t : ts) t.join();
    w.close();
    assertThat(errors).hasSize(threads).allMatch(e -> e instanceof DatabaseFailedException, "a DatabaseFailedException");
    assertThat(acknowledged.get()).isPositive();
  }

  /** Closing while committers run: each commit either returns durable or fails with ClosedException. */
  @Test
  void closeWhileCommittersWaitEndsEveryOneCleanly() throws Exception {
    WalWriter w = WalWriter.open(dir, WalTesting.small());
    int threads = 16;
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long txn = t + 1;
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; ; i++) {
            w.commit(new LogRecord.Commit(txn, 0, i), Durability.SYNC);
            acknowledged.incrementAndGet();
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    WalTesting.await(() -> acknowledged.get() > 200, "committers get going");
    w.close();
    for (Thread t : ts) t.join();
    assertThat(errors).hasSize(threads).allMatch(e -> e instanceof org.rustydb.ClosedException, "a ClosedException");
    long inLog = WalTesting.readAll(dir.resolve("wal")).stream().filter(e -> e.record() instanceof LogRecord.Commit).count();
    assertThat(inLog).isGreaterThanOrEqualTo(acknowledged.get());
  }
}
