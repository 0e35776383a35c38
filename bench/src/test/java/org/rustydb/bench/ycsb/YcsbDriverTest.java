package org.rustydb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.OperationFailedException;

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
}
