package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class IoBatcherTest {

  final IoSchedulerTest.ManualEngine engine = new IoSchedulerTest.ManualEngine();
  final IoFile a = engine.open(Path.of("a"), FileOpenOptions.readWrite());
  final IoFile b = new IoFile(engine, 2, Path.of("b"), FileOpenOptions.readWrite()) {
    @Override
    public long size() {
      return 0;
    }

    @Override
    protected void closeHandle() {}
  };

  static MemorySegment page() {
    return MemorySegment.ofArray(new byte[4096]);
  }

  @Test
  void adjacentPagesMergeIntoVectoredWritesInFileAndOffsetOrder() {
    IoBatcher batcher = new IoBatcher(64, 1 << 20);
    long[] offsets = {5, 3, 4, 9, 1, 2, 10};
    for (long p : offsets) batcher.add(a, p * 4096, page());
    batcher.add(b, 0, page());
    batcher.add(b, 4096, page());
    List<IoBatcher.Planned> plan = batcher.plan();
    assertThat(plan).extracting(p -> p.write().file(), p -> p.write().offset() / 4096, p -> p.write().buffers().size())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(a, 1L, 5),   // pages 1..5
            org.assertj.core.groups.Tuple.tuple(a, 9L, 2),   // pages 9..10
            org.assertj.core.groups.Tuple.tuple(b, 0L, 2));
    List<CompletableFuture<Long>> issued = batcher.flush(engine);
    assertThat(issued).hasSize(3);
    assertThat(engine.submitted).hasSize(3);
    assertThat(batcher.writesRequested()).isEqualTo(9);
    assertThat(batcher.writesIssued()).isEqualTo(3);
    assertThat(batcher.writesSaved()).isEqualTo(6);
    assertThat(batcher.pendingPages()).isZero();
  }

  @Test
  void pageFuturesCompleteWithTheirMergedWrite() {
    IoBatcher batcher = new IoBatcher(64, 1 << 20);
    CompletableFuture<Long> p0 = batcher.add(a, 0, page());
    CompletableFuture<Long> p1 = batcher.add(a, 4096, page());
    CompletableFuture<Long> far = batcher.add(a, 40960, page());
    batcher.flush(engine);
    assertThat(p0).isNotDone();
    engine.completeOldest();
    assertThat(p0).isCompletedWithValue(4096L);
    assertThat(p1).isCompletedWithValue(4096L);
    engine.open.poll().completeExceptionally(new IoFailedException("disk gone"));
    assertThat(far).isCompletedExceptionally();
  }

  @Test
  void mergedWritesRespectTheBufferAndByteLimits() {
    IoBatcher byCount = new IoBatcher(3, 1 << 20);
    for (int p = 0; p < 8; p++) byCount.add(a, p * 4096L, page());
    assertThat(byCount.plan()).extracting(x -> x.write().buffers().size()).containsExactly(3, 3, 2);
    IoBatcher byBytes = new IoBatcher(64, 8192);
    for (int p = 0; p < 5; p++) byBytes.add(a, p * 4096L, page());
    assertThat(byBytes.plan()).extracting(x -> x.write().buffers().size()).containsExactly(2, 2, 1);
  }

  @Test
  void theLaterWriteOfAPageWinsAndPartialOverlapIsRefused() {
    IoBatcher batcher = new IoBatcher(64, 1 << 20);
    MemorySegment old = page();
    MemorySegment newer = page();
    CompletableFuture<Long> first = batcher.add(a, 0, old);
    CompletableFuture<Long> second = batcher.add(a, 0, newer);
    assertThat(batcher.plan()).singleElement().satisfies(p -> assertThat(p.write().buffers()).containsExactly(newer));
    assertThatThrownBy(() -> batcher.add(a, 100, page())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overlaps");
    batcher.flush(engine);
    engine.completeOldest();
    assertThat(first).isCompletedWithValue(4096L);
    assertThat(second).isCompletedWithValue(4096L);
    assertThat(batcher.writesSaved()).isEqualTo(1);
  }
}
