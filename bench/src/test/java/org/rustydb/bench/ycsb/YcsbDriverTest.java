package org.rustydb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.OperationFailedException;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;

class YcsbDriverTest {

  @TempDir Path dir;

  private Properties props(long warmup) {
    Properties p = YcsbChild.properties("a", 100, 51, new StoreSettings(dir, YcsbDurability.NOSYNC, 4, 2));
    p.setProperty(YcsbDriver.WARMUP, Long.toString(warmup));
    return p;
  }

  @Test
  void warmUpOperationsRunFirstAndAreNotMeasured() {
    Properties p = props(71);
    YcsbDriver.PhaseResult load = YcsbDriver.run(YcsbEngine.RUSTYDB, p, YcsbDriver.Phase.LOAD, done -> {});
    assertThat(load.ops()).as("load has no warm-up").isEqualTo(100);
    AtomicLong seen = new AtomicLong();
    YcsbDriver.PhaseResult run = YcsbDriver.run(YcsbEngine.RUSTYDB, p, YcsbDriver.Phase.RUN,
        done -> seen.accumulateAndGet(done, Math::max));
    assertThat(seen.get()).as("operations done, warm-up included").isEqualTo(71 + 51);
    assertThat(run.ops()).as("measured operations").isEqualTo(51);
    assertThat(run.nanos()).isPositive();
    assertThat(run.p99Micros()).isGreaterThanOrEqualTo(run.p50Micros()).isPositive();
  }

  @Test
  void aNegativeOrNonNumericWarmUpIsRefused() {
    assertThatThrownBy(() -> YcsbDriver.run(YcsbEngine.RUSTYDB, props(-1), YcsbDriver.Phase.RUN, done -> {}))
        .isInstanceOf(OperationFailedException.class).hasMessageContaining("must not be negative: -1");
    Properties p = props(0);
    p.setProperty(YcsbDriver.WARMUP, "lots");
    assertThatThrownBy(() -> YcsbDriver.run(YcsbEngine.RUSTYDB, p, YcsbDriver.Phase.RUN, done -> {}))
        .isInstanceOf(OperationFailedException.class).hasMessageContaining("is not a number: lots");
  }

  @Test
  @Timeout(60)
  void aThreadThatFailsDuringItsWarmUpDoesNotLeaveTheOthersWaitingToMeasure() {
    Properties p = YcsbChild.properties("c", 100, 50, new StoreSettings(dir, YcsbDurability.NOSYNC, 4, 2));
    p.setProperty(YcsbDriver.WARMUP, "1000");
    AtomicInteger made = new AtomicInteger();
    // The first thread's binding throws at its 10th read, in the middle of its 500 warm-up operations; the
    // other thread must not wait for it at the start of the measured part.
    assertThatThrownBy(() -> YcsbDriver.run("fake", () -> new FakeDb(made.getAndIncrement() == 0 ? 10 : -1), p,
        YcsbDriver.Phase.RUN, done -> {}))
        .isInstanceOf(OperationFailedException.class).hasMessageContaining("fake run crashed")
        .hasMessageContaining("injected");
  }

  /** Answers every operation OK, except that read number {@code failAt} (1-based; -1: none) throws. */
  static final class FakeDb extends DB {
    private final int failAt;
    private int reads;

    FakeDb(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
      if (++reads == failAt) throw new IllegalStateException("injected");
      return Status.OK;
    }

    @Override
    public Status scan(String table, String startKey, int count, Set<String> fields,
        Vector<HashMap<String, ByteIterator>> result) {
      return Status.OK;
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
      return Status.OK;
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
      return Status.OK;
    }

    @Override
    public Status delete(String table, String key) {
      return Status.OK;
    }
  }
}
