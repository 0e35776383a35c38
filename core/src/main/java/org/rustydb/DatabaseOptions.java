package org.rustydb;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import org.rustydb.buffer.Replacer;
import org.rustydb.io.IoOptions;
import org.rustydb.buffer.ReplacerRegistry;
import org.rustydb.wal.Durability;
import org.rustydb.wal.NioWalFile;
import org.rustydb.wal.WalFile;
import org.rustydb.wal.WalOptions;

/**
 * Options of {@link Database#open}.
 *
 * @param poolFrames buffer pool size in 4 KiB frames
 * @param durability what {@code Transaction.commit()} does by default
 * @param walSegmentSize WAL segment size in bytes (fixed when the log is created)
 * @param checkpointInterval time between background checkpoints; {@link Duration#ZERO} turns them off
 * @param replacer the buffer pool's replacement policy for a given frame count
 * @param recoveryProgress called with each record's LSN as recovery applies or undoes it (tests crash
 *     recovery from it); does nothing by default
 * @param io the I/O engine for page files ({@link IoOptions#defaults()}: io_uring where it works, else the
 *     portable FileChannel engine, with one logged notice)
 * @param walFiles opens WAL segment files ({@link NioWalFile#FACTORY}; tests wrap it to inject I/O errors)
 */
public record DatabaseOptions(int poolFrames, Durability durability, int walSegmentSize, Duration checkpointInterval,
    IntFunction<Replacer> replacer, LongConsumer recoveryProgress, IoOptions io, WalFile.Factory walFiles) {

  public DatabaseOptions {
    if (poolFrames < 8) throw new IllegalArgumentException("poolFrames must be at least 8: " + poolFrames);
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (checkpointInterval.isNegative()) throw new IllegalArgumentException("negative checkpointInterval");
    Objects.requireNonNull(replacer, "replacer");
    Objects.requireNonNull(recoveryProgress, "recoveryProgress");
    Objects.requireNonNull(walFiles, "walFiles");
    if (walSegmentSize < WalOptions.MIN_SEGMENT_SIZE || walSegmentSize > WalOptions.MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("walSegmentSize out of range " + WalOptions.MIN_SEGMENT_SIZE + ".."
          + WalOptions.MAX_SEGMENT_SIZE + ": " + walSegmentSize);
    }
  }

  public static DatabaseOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private int poolFrames = 4096;
    private Durability durability = Durability.SYNC;
    private int walSegmentSize = WalOptions.DEFAULT_SEGMENT_SIZE;
    private Duration checkpointInterval = Duration.ofSeconds(60);
    private IntFunction<Replacer> replacer = capacity -> ReplacerRegistry.create(ReplacerRegistry.DEFAULT, capacity);
    private LongConsumer recoveryProgress = lsn -> {};
    private IoOptions io = IoOptions.defaults();
    private WalFile.Factory walFiles = NioWalFile.FACTORY;

    public Builder poolFrames(int v) { poolFrames = v; return this; }
    public Builder durability(Durability v) { durability = v; return this; }
    public Builder walSegmentSize(int v) { walSegmentSize = v; return this; }
    public Builder checkpointInterval(Duration v) { checkpointInterval = v; return this; }
    public Builder replacer(IntFunction<Replacer> v) { replacer = v; return this; }
    public Builder recoveryProgress(LongConsumer v) { recoveryProgress = v; return this; }
    public Builder io(IoOptions v) { io = v; return this; }
    public Builder walFiles(WalFile.Factory v) { walFiles = v; return this; }

    public DatabaseOptions build() {
      return new DatabaseOptions(poolFrames, durability, walSegmentSize, checkpointInterval, replacer, recoveryProgress, io, walFiles);
    }
  }
}
