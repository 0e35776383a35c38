package org.rustydb.bench.page;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rustydb.page.PageChecksum;

/**
 * Page checksums per second: our CRC32C (checksum field taken as zero, as stored) against plain CRC32
 * over the same 4 KiB off-heap page, the spec's choice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ChecksumBenchmark {

  private Arena arena;
  private MemorySegment page;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    page = arena.allocate(4096, 4096);
    byte[] random = new byte[4096];
    new Random(1).nextBytes(random);
    MemorySegment.copy(MemorySegment.ofArray(random), 0, page, 0, 4096);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public int crc32cPage() {
    return PageChecksum.compute(page);
  }

  @Benchmark
  public long crc32Page() {
    CRC32 crc = new CRC32();
    crc.update(page.asByteBuffer());
    return crc.getValue();
  }
}
