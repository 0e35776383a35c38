package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The ordering rule every engine inherits from {@link AbstractIoEngine}, made deterministic: an engine
 * that starts nothing on its own, so the test decides when each write completes and sees exactly when the
 * sync is handed over.
 */
class SyncOrderingTest {

  static final class HeldEngine extends AbstractIoEngine {
    final List<Op> dispatched = new ArrayList<>();

    HeldEngine() {
      super(IoOptions.defaults());
    }

    @Override
    public String name() {
      return "held";
    }

    @Override
    public IoFile open(Path path, FileOpenOptions options) {
      IoFile f = new IoFile(this, nextFileId(), path, options) {
        @Override
        public long size() {
          return 0;
        }

        @Override
        protected void closeHandle() {}
      };
      openFiles.add(f);
      return f;
    }

    @Override
    public boolean registerBuffers(MemorySegment region) {
      return false;
    }

    @Override
    public void unregisterBuffers() {}

    @Override
    boolean requiresNativeBuffers() {
      return false;
    }

    @Override
    boolean isEngineThread() {
      return false;
    }

    @Override
    synchronized void dispatch(List<Op> ops) {
      dispatched.addAll(ops);
    }

    @Override
    void shutdown(boolean stragglers) {
      for (Op op : dispatched) if (!op.future.isDone()) failCause(op, engineClosed());
    }

    void finish(int index) {
      Op op = dispatched.get(index);
      complete(op, op.length());
    }
  }

  @Test
  void aSyncIsHandedToTheEngineOnlyAfterTheEarlierWritesToItsFileComplete() {
    try (HeldEngine engine = new HeldEngine()) {
      IoFile f = engine.open(Path.of("f"), FileOpenOptions.readWrite());
      IoFile other = engine.open(Path.of("g"), FileOpenOptions.readWrite());
      MemorySegment page = MemorySegment.ofArray(new byte[4096]);
      List<CompletableFuture<Long>> fs = engine.submit(List.of(
          new IoRequest.Write(f, 0, page),
          new IoRequest.Write(other, 0, page),
          new IoRequest.Write(f, 4096, page),
          new IoRequest.Sync(f, true)));
      assertThat(engine.dispatched).hasSize(3); // the sync waits
      engine.finish(0);
      engine.finish(1); // another file's write does not matter
      assertThat(engine.dispatched).hasSize(3);
      engine.finish(2);
      assertThat(engine.dispatched).hasSize(4);
      assertThat(engine.dispatched.get(3).request).isInstanceOf(IoRequest.Sync.class);
      assertThat(fs.get(3)).isNotDone();
      engine.finish(3);
      assertThat(fs.get(3)).isCompletedWithValue(0L);
      // A second sync waits for the write submitted after the first one.
      engine.submit(new IoRequest.Write(f, 0, page));
      CompletableFuture<Long> sync2 = engine.submit(new IoRequest.Sync(f, false));
      assertThat(engine.dispatched).hasSize(5);
      engine.finish(4);
      assertThat(engine.dispatched).hasSize(6);
      engine.finish(5);
      assertThat(sync2).isCompletedWithValue(0L);
    }
  }

  @Test
  void aSyncWithNoWritesInFlightGoesStraightThrough() {
    try (HeldEngine engine = new HeldEngine()) {
      IoFile f = engine.open(Path.of("f"), FileOpenOptions.readWrite());
      engine.submit(new IoRequest.Sync(f, false));
      assertThat(engine.dispatched).hasSize(1);
      engine.finish(0);
    }
  }
}
