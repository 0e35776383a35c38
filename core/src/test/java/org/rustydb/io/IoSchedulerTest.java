package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The scheduler against an engine whose completions the test hands out one by one. */
class IoSchedulerTest {

  /** Records submissions; nothing completes until the test says so. */
  static class ManualEngine implements IoEngine {
    final ArrayDeque<CompletableFuture<Long>> open = new ArrayDeque<>();
    final List<IoRequest> submitted = new ArrayList<>();
    final IoMetrics metrics = new IoMetrics();
    boolean refuseFromNowOn;

    @Override
    public String name() {
      return "manual";
    }

    @Override
    public IoFile open(Path path, FileOpenOptions options) {
      return new IoFile(this, 1, path, options) {
        @Override
        public long size() {
          return 0;
        }

        @Override
        protected void closeHandle() {}
      };
    }

    @Override
    public List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests) {
      List<CompletableFuture<Long>> out = new ArrayList<>();
      for (IoRequest r : requests) {
        submitted.add(r);
        CompletableFuture<Long> f = new CompletableFuture<>();
        if (refuseFromNowOn) {
          f.completeExceptionally(new IoFailedException("refused"));
        } else {
          open.add(f);
        }
        out.add(f);
      }
      return out;
    }

    void completeOldest() {
      open.poll().complete(1L);
    }

    @Override
    public boolean registerBuffers(MemorySegment region) {
      return false;
    }

    @Override
    public void unregisterBuffers() {}

    @Override
    public int maxIovecs() {
      return 1;
    }

    @Override
    public IoMetrics metrics() {
      return metrics;
    }

    @Override
    public void close() {}
  }

  final ManualEngine engine = new ManualEngine();
  final IoFile file = engine.open(Path.of("f"), FileOpenOptions.readOnly());

  IoRequest read(long offset) {
    return new IoRequest.Read(file, offset, MemorySegment.ofArray(new byte[1]), false);
  }

  /**
   * A context lane takes the priority of the submitting thread's runAt scope (its default outside one);
   * the engine sees each request's priority while it is dispatched, also when a completion dispatches a
   * queued request on another call chain.
   */
  @Test
  void contextLanesFollowTheRunAtScopeAndTheEngineSeesThePriority() {
    List<IoPriority> seen = new ArrayList<>();
    IoEngine spy = new ManualEngine() {
      @Override
      public List<CompletableFuture<Long>> submit(List<? extends IoRequest> requests) {
        seen.add(IoScheduler.dispatchPriority());
        return super.submit(requests);
      }
    };
    IoFile f = spy.open(Path.of("g"), FileOpenOptions.readOnly());
    IoRequest r = new IoRequest.Read(f, 0, MemorySegment.ofArray(new byte[1]), false);
    IoScheduler s = new IoScheduler(spy, 1, 1000);
    IoEngine lane = s.contextLane(IoPriority.NORMAL);
    lane.submit(r); // in flight: the next ones queue
    IoScheduler.runAt(IoPriority.HIGH, () -> lane.submit(r));
    lane.submit(r);
    IoScheduler.runAt(IoPriority.LOW, () -> IoScheduler.runAt(IoPriority.CRITICAL, () -> lane.submit(r)));
    assertThat(s.queued()).isEqualTo(3);
    assertThat(IoScheduler.dispatchPriority()).isNull();
    assertThat(IoScheduler.scopedPriority(IoPriority.LOW)).isEqualTo(IoPriority.LOW);
    for (int i = 0; i < 4; i++) ((ManualEngine) spy).completeOldest();
    // Dispatch order is by priority: CRITICAL, HIGH, NORMAL.
    assertThat(seen).containsExactly(IoPriority.NORMAL, IoPriority.CRITICAL, IoPriority.HIGH, IoPriority.NORMAL);
    assertThat(s.dispatched(IoPriority.HIGH)).isEqualTo(1);
    assertThat(lane.toString()).contains("default NORMAL");
  }

  @Test
  void belowTheLimitRequestsGoStraightThrough() {
    IoScheduler s = new IoScheduler(engine, 4, 8);
    for (int i = 0; i < 4; i++) s.submit(IoPriority.LOW, read(i));
    assertThat(engine.submitted).hasSize(4);
    s.submit(IoPriority.CRITICAL, read(99));
    assertThat(engine.submitted).hasSize(4);
    assertThat(s.queued()).isEqualTo(1);
  }

  @Test
  void queuedCriticalGoesBeforeQueuedHighAndResultsArrive() {
    IoScheduler s = new IoScheduler(engine, 1, 1000);
    CompletableFuture<Long> first = s.submit(IoPriority.LOW, read(0));
    s.submit(IoPriority.HIGH, read(1));
    CompletableFuture<Long> wal = s.submit(IoPriority.CRITICAL, read(2));
    engine.completeOldest();
    assertThat(first).isCompletedWithValue(1L);
    assertThat(((IoRequest.Read) engine.submitted.get(1)).offset()).isEqualTo(2);
    engine.completeOldest();
    assertThat(wal).isCompletedWithValue(1L);
    assertThat(((IoRequest.Read) engine.submitted.get(2)).offset()).isEqualTo(1);
  }

  @Test
  void lowRequestsFinishUnderSaturatingHighLoad() {
    IoScheduler s = new IoScheduler(engine, 2, 8);
    for (int i = 0; i < 20; i++) s.submit(IoPriority.HIGH, read(1000 + i));
    List<CompletableFuture<Long>> lows = new ArrayList<>();
    for (int i = 0; i < 5; i++) lows.add(s.submit(IoPriority.LOW, read(i)));
    for (int step = 0; step < 400 && !lows.stream().allMatch(CompletableFuture::isDone); step++) {
      engine.completeOldest();
      s.submit(IoPriority.HIGH, read(2000 + step)); // the load never lets up
      s.submit(IoPriority.HIGH, read(5000 + step));
    }
    assertThat(lows).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(s.dispatched(IoPriority.LOW)).isEqualTo(5);
    assertThat(s.queued()).isGreaterThan(0); // HIGH work still waiting: it was saturated throughout
  }

  @Test
  void aLongQueueOfRefusedRequestsDoesNotRecurse() {
    IoScheduler s = new IoScheduler(engine, 1, 8);
    CompletableFuture<Long> first = s.submit(IoPriority.NORMAL, read(0));
    List<CompletableFuture<Long>> queued = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) queued.add(s.submit(IoPriority.LOW, read(i)));
    engine.refuseFromNowOn = true; // every later submission fails at once, inside submit
    engine.completeOldest();
    // Each refusal starts the next queued request from its completion; without the trampoline that is
    // 50,000 nested calls.
    assertThat(first).isCompletedWithValue(1L);
    assertThat(queued).allMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(s.queued()).isZero();
  }

  @Test
  void failuresReachTheCallerAndTheNextRequestStillStarts() {
    IoScheduler s = new IoScheduler(engine, 1, 8);
    CompletableFuture<Long> a = s.submit(IoPriority.NORMAL, read(0));
    CompletableFuture<Long> b = s.submit(IoPriority.NORMAL, read(1));
    engine.open.poll().completeExceptionally(new IoFailedException("boom"));
    assertThat(a).isCompletedExceptionally();
    assertThat(engine.submitted).hasSize(2);
    engine.completeOldest();
    assertThat(b).isCompletedWithValue(1L);
  }

  IoRequest write(long offset) {
    return new IoRequest.Write(file, offset, MemorySegment.ofArray(new byte[1]));
  }

  @Test
  void eachLaneSubmitsAtItsPriority() {
    IoScheduler s = new IoScheduler(engine, 1, 1000);
    s.lane(IoPriority.LOW).submit(read(0)); // straight through: fills the one slot
    CompletableFuture<Long> background = s.lane(IoPriority.LOW).submit(read(1));
    CompletableFuture<Long> checkpoint = s.lane(IoPriority.HIGH).submit(write(2));
    CompletableFuture<Long> wal = s.lane(IoPriority.CRITICAL).submit(write(3));
    CompletableFuture<Long> user = s.lane(IoPriority.NORMAL).read(file, 4, MemorySegment.ofArray(new byte[1]));
    assertThat(s.queued()).isEqualTo(4);
    List<Long> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      engine.completeOldest();
      IoRequest next = engine.submitted.getLast();
      order.add(next instanceof IoRequest.Read r ? r.offset() : ((IoRequest.Write) next).offset());
    }
    assertThat(order).containsExactly(3L, 2L, 4L, 1L); // CRITICAL, HIGH, NORMAL, LOW
    engine.completeOldest();
    assertThat(List.of(background, checkpoint, wal, user)).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    for (IoPriority p : IoPriority.values()) assertThat(s.dispatched(p)).isEqualTo(p == IoPriority.LOW ? 2 : 1);
  }

  /**
   * A read its caller waits for goes past a full queue to the engine's execute (a caller's thread read
   * where the engine has one); background (LOW) reads wait in the queue like any request.
   */
  @Test
  void aWaitedForReadSkipsTheQueueUnlessItIsBackgroundWork() {
    List<Long> executed = new ArrayList<>();
    ManualEngine inline = new ManualEngine() {
      @Override
      public CompletableFuture<Long> execute(IoRequest r) {
        executed.add(((IoRequest.Read) r).offset());
        return CompletableFuture.completedFuture(1L);
      }
    };
    IoFile f = inline.open(Path.of("f"), FileOpenOptions.readOnly());
    IoScheduler s = new IoScheduler(inline, 1, 1000);
    s.lane(IoPriority.LOW).submit(new IoRequest.Read(f, 0, MemorySegment.ofArray(new byte[1]), false)); // the slot
    CompletableFuture<Long> user = s.contextLane(IoPriority.NORMAL).execute(new IoRequest.Read(f, 8, MemorySegment.ofArray(new byte[1]), false));
    assertThat(user).isCompletedWithValue(1L);
    CompletableFuture<Long> background = s.lane(IoPriority.LOW).execute(new IoRequest.Read(f, 16, MemorySegment.ofArray(new byte[1]), false));
    assertThat(background).isNotDone();
    assertThat(s.queued()).isEqualTo(1);
    assertThat(executed).containsExactly(8L);
    inline.completeOldest();
    inline.completeOldest();
    assertThat(background).isCompletedWithValue(1L);
  }

  @Test
  void aLaneIsTheEngineForEverythingButSubmitAndDoesNotCloseIt() {
    IoScheduler s = new IoScheduler(engine, 4, 8);
    IoEngine lane = s.lane(IoPriority.CRITICAL);
    assertThat(s.lane(IoPriority.CRITICAL)).isSameAs(lane);
    assertThat(lane.name()).isEqualTo("manual");
    assertThat(lane.metrics()).isSameAs(engine.metrics);
    assertThat(lane.maxIovecs()).isEqualTo(1);
    assertThat(lane.open(Path.of("g"), FileOpenOptions.readOnly()).owner).isSameAs(engine);
    lane.close();
    lane.submit(read(0));
    assertThat(engine.submitted).hasSize(1);
  }

  @Test
  void aSyncWaitsForEarlierWritesToItsFileQueuedAtLowerPriority() {
    IoScheduler s = new IoScheduler(engine, 1, 1000);
    CompletableFuture<Long> w0 = s.submit(IoPriority.LOW, write(0)); // in the engine
    CompletableFuture<Long> w1 = s.submit(IoPriority.LOW, write(1)); // queued
    CompletableFuture<Long> sync = s.submit(IoPriority.CRITICAL, new IoRequest.Sync(file, true));
    s.submit(IoPriority.NORMAL, read(7)); // queued, unrelated
    engine.completeOldest(); // w0 done: the CRITICAL sync would go first, but w1 is still to be written
    assertThat(engine.submitted.getLast()).isInstanceOf(IoRequest.Read.class);
    engine.completeOldest();
    assertThat(((IoRequest.Write) engine.submitted.getLast()).offset()).isEqualTo(1);
    assertThat(sync).isNotDone();
    engine.completeOldest(); // w1 done: now the sync is admitted
    assertThat(w0.isDone() && w1.isDone()).isTrue();
    assertThat(engine.submitted.getLast()).isInstanceOf(IoRequest.Sync.class);
    engine.completeOldest();
    assertThat(sync).isCompletedWithValue(1L);
  }

  @Test
  void aQueuedCriticalSyncGoesBeforeWorkQueuedAfterItsWrites() {
    IoScheduler s = new IoScheduler(engine, 1, 1000);
    s.submit(IoPriority.CRITICAL, write(0)); // in the engine
    CompletableFuture<Long> sync = s.submit(IoPriority.CRITICAL, new IoRequest.Sync(file, true));
    s.submit(IoPriority.NORMAL, read(7)); // queued
    engine.completeOldest(); // the write's result admits the sync before its slot is handed on
    assertThat(engine.submitted.getLast()).isInstanceOf(IoRequest.Sync.class);
    engine.completeOldest();
    assertThat(sync).isCompletedWithValue(1L);
    assertThat(engine.submitted.getLast()).isInstanceOf(IoRequest.Read.class);
  }

  @Test
  void aSyncOfAFileWithNoPendingWritesGoesStraightIn() {
    IoScheduler s = new IoScheduler(engine, 4, 8);
    IoFile other = engine.open(Path.of("other"), FileOpenOptions.readOnly());
    s.submit(IoPriority.LOW, new IoRequest.Write(other, 0, MemorySegment.ofArray(new byte[1])));
    s.submit(IoPriority.CRITICAL, new IoRequest.Sync(file, false));
    assertThat(engine.submitted).hasSize(2);
  }

  /**
   * An engine that runs every request handed to {@link IoEngine#execute} at once (recording it and the
   * priority it was dispatched at), or, for writes while {@code holdWrites}, leaves it running until the
   * test completes it; {@code submit} queues as {@link ManualEngine} does.
   */
  static final class InlineEngine extends ManualEngine {
    final List<IoRequest> inline = new ArrayList<>();
    final List<IoPriority> inlinePriorities = new ArrayList<>();
    final ArrayDeque<CompletableFuture<Long>> running = new ArrayDeque<>();
    boolean holdWrites;

    @Override
    public CompletableFuture<Long> execute(IoRequest r) {
      inline.add(r);
      inlinePriorities.add(IoScheduler.dispatchPriority());
      if (holdWrites && r instanceof IoRequest.Write) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        running.add(f);
        return f;
      }
      return CompletableFuture.completedFuture(1L);
    }
  }

  @Test
  void aCriticalExecuteRunsOnTheCallersThreadEvenBehindAFullQueue() {
    InlineEngine e = new InlineEngine();
    IoFile f = e.open(Path.of("wal"), FileOpenOptions.readOnly());
    IoScheduler s = new IoScheduler(e, 1, 1000);
    s.submit(IoPriority.LOW, read(0)); // in the engine: the slot is taken
    s.submit(IoPriority.NORMAL, read(1)); // queued
    IoRequest w = new IoRequest.Write(f, 0, MemorySegment.ofArray(new byte[1]));
    CompletableFuture<Long> done = s.lane(IoPriority.CRITICAL).execute(w);
    assertThat(done).isCompletedWithValue(1L);
    assertThat(e.inline).containsExactly(w);
    assertThat(e.inlinePriorities).containsExactly(IoPriority.CRITICAL);
    assertThat(s.dispatched(IoPriority.CRITICAL)).isEqualTo(1);
    CompletableFuture<Long> sync = s.execute(IoPriority.CRITICAL, new IoRequest.Sync(f, true));
    assertThat(sync).as("no write of the file pending: inline too").isCompletedWithValue(1L);
    assertThat(s.queued()).isEqualTo(1);

    // Syncs below CRITICAL never run inline (they would overtake the queued requests above them), nor does
    // anything at LOW that may wait for a device; a write above LOW does, as a read does: its caller waits
    // for it. A LOW write to a file in the OS cache does too: it waits for no device.
    CompletableFuture<Long> highSync = s.execute(IoPriority.HIGH, new IoRequest.Sync(f, true));
    assertThat(highSync).isNotDone();
    IoFile direct = e.open(Path.of("data"), new FileOpenOptions(true, false, true));
    CompletableFuture<Long> lowWrite = s.execute(IoPriority.LOW, new IoRequest.Write(direct, 16, MemorySegment.ofArray(new byte[1])));
    assertThat(lowWrite).isNotDone();
    assertThat(e.inline).hasSize(2);
    assertThat(s.queued()).isEqualTo(3);
    IoRequest eviction = new IoRequest.Write(f, 8, MemorySegment.ofArray(new byte[1]));
    assertThat(s.execute(IoPriority.NORMAL, eviction)).isCompletedWithValue(1L);
    assertThat(e.inline).hasSize(3).last().isSameAs(eviction);
    assertThat(s.dispatched(IoPriority.NORMAL)).isEqualTo(1);
    IoRequest flush = new IoRequest.Write(f, 24, MemorySegment.ofArray(new byte[1]));
    assertThat(s.execute(IoPriority.LOW, flush)).as("buffered: inline").isCompletedWithValue(1L);
    assertThat(e.inline).hasSize(4).last().isSameAs(flush);
    assertThat(s.queued()).isEqualTo(3);
  }

  @Test
  void anExecutedCriticalSyncWaitsForAQueuedLowerPriorityWriteOfItsFile() {
    InlineEngine e = new InlineEngine();
    IoFile f = e.open(Path.of("f"), FileOpenOptions.readOnly());
    IoScheduler s = new IoScheduler(e, 1, 1000);
    s.submit(IoPriority.LOW, new IoRequest.Write(f, 0, MemorySegment.ofArray(new byte[1]))); // in the engine
    s.submit(IoPriority.LOW, new IoRequest.Write(f, 1, MemorySegment.ofArray(new byte[1]))); // queued
    CompletableFuture<Long> sync = s.execute(IoPriority.CRITICAL, new IoRequest.Sync(f, true));
    assertThat(e.inline).as("it must not overtake the writes it covers").isEmpty();
    e.completeOldest();
    assertThat(sync).isNotDone();
    assertThat(e.submitted.getLast()).isInstanceOf(IoRequest.Write.class);
    e.completeOldest(); // both writes done: the sync goes in, through the queue
    assertThat(e.submitted.getLast()).isInstanceOf(IoRequest.Sync.class);
    e.completeOldest();
    assertThat(sync).isCompletedWithValue(1L);
  }

  @Test
  void aSyncWaitsForAnInlineWriteOfItsFileStillRunning() {
    InlineEngine e = new InlineEngine();
    e.holdWrites = true;
    IoFile f = e.open(Path.of("f"), FileOpenOptions.readOnly());
    IoScheduler s = new IoScheduler(e, 4, 1000);
    CompletableFuture<Long> w = s.execute(IoPriority.CRITICAL, new IoRequest.Write(f, 0, MemorySegment.ofArray(new byte[1])));
    assertThat(w).isNotDone();
    CompletableFuture<Long> sync = s.execute(IoPriority.CRITICAL, new IoRequest.Sync(f, false));
    assertThat(e.inline).hasSize(1);
    assertThat(e.submitted).as("the sync waits for the write").isEmpty();
    e.running.poll().complete(1L);
    assertThat(w).isCompletedWithValue(1L);
    assertThat(e.submitted).hasSize(1).allMatch(r -> r instanceof IoRequest.Sync);
    e.completeOldest();
    assertThat(sync).isCompletedWithValue(1L);
  }
}
