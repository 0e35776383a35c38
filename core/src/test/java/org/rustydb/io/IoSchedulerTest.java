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
  static final class ManualEngine implements IoEngine {
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
}
