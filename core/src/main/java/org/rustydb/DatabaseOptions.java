package org.rustydb;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.rustydb.buffer.DirtyPageFlusher;
import org.rustydb.buffer.FlusherOptions;
import org.rustydb.buffer.Replacer;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoOptions;
import org.rustydb.buffer.ReplacerRegistry;
import org.rustydb.wal.Durability;
import org.rustydb.wal.NioWalFile;
import org.rustydb.wal.WalFile;
import org.rustydb.wal.WalOptions;

/**
 * Options of {@link Database#open}, built with {@link #builder()}; {@link #defaults()} gives every default.
 *
 * @param poolFrames buffer pool size in 4 KiB frames (default 4096 = 16 MiB; at least 8); or set it in
 *     bytes with {@link Builder#poolBytes}
 * @param durability what {@code Transaction.commit()} and auto-commit operations do by default (default
 *     {@link Durability#SYNC}: return once the commit record is on stable storage)
 * @param walSegmentSize WAL segment size in bytes (default {@link WalOptions#DEFAULT_SEGMENT_SIZE}, 16 MiB;
 *     fixed when the log is created)
 * @param checkpointInterval time between background checkpoints (default 60 s); {@link Duration#ZERO}
 *     turns them off
 * @param replacer the buffer pool's replacement (page cache) policy for a given frame count (default: the
 *     registry's default, dueling LIRS); or choose one by name with {@link Builder#pageCachePolicy}
 * @param recoveryProgress called with each record's LSN as recovery applies or undoes it (tests crash
 *     recovery from it); does nothing by default
 * @param io the I/O engine for page files ({@link IoOptions#defaults()}: io_uring where it works, else the
 *     portable FileChannel engine, with one logged notice)
 * @param walFiles opens WAL segment files ({@link NioWalFile#FACTORY}; tests wrap it to inject I/O errors)
 * @param ioEngineDecorator a test hook: applied to the page files' I/O engine once it is built, and the
 *     engine it returns is the one used (tests wrap it in a {@code FaultInjectingIoEngine} to tear writes,
 *     flip bits or fail syncs). The database closes the engine returned. Identity by default
 * @param backgroundFlush whether a {@link DirtyPageFlusher} thread writes dirty pages ahead of eviction
 *     beside the checkpointer (started after recovery, stopped by {@code close()} before the final
 *     checkpoint); on by default
 * @param flusher the flusher's rate, trigger and write combining
 * @param memoryBudgetBytes the one limit on the engine's off-heap memory (the buffer pool's frames, and the
 *     memtables, arenas and large objects to come), enforced by a {@link org.rustydb.memory.MemoryManager}
 *     whose pressure forecaster can make the pool give frames back; 0 (the default) means the pool's size
 *     plus 64 MiB
 * @param warmPool whether {@code close()} records the pages the buffer pool holds and the next open loads them
 *     back in the background ({@link org.rustydb.buffer.PoolWarmer}) into free frames, so that a reopened
 *     database does not answer its first reads from the device page by page; on by default
 * @param directIo whether page files bypass the operating system's page cache (O_DIRECT where the file system
 *     allows it): on by default, so the buffer pool is the only cache and the memory budget holds; off reads
 *     and writes through the OS cache (what most embedded engines do; their "cache size" then leaves the OS
 *     cache uncounted)
 */
public record DatabaseOptions(int poolFrames, Durability durability, int walSegmentSize, Duration checkpointInterval,
    IntFunction<Replacer> replacer, LongConsumer recoveryProgress, IoOptions io, WalFile.Factory walFiles,
    UnaryOperator<IoEngine> ioEngineDecorator, boolean backgroundFlush, FlusherOptions flusher,
    long memoryBudgetBytes, boolean warmPool, boolean directIo) {

  public DatabaseOptions {
    if (memoryBudgetBytes < 0) throw new IllegalArgumentException("negative memoryBudgetBytes: " + memoryBudgetBytes);
    if (poolFrames < 8) throw new IllegalArgumentException("poolFrames must be at least 8: " + poolFrames);
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (checkpointInterval.isNegative()) throw new IllegalArgumentException("negative checkpointInterval");
    Objects.requireNonNull(replacer, "replacer");
    Objects.requireNonNull(recoveryProgress, "recoveryProgress");
    Objects.requireNonNull(walFiles, "walFiles");
    Objects.requireNonNull(ioEngineDecorator, "ioEngineDecorator");
    Objects.requireNonNull(flusher, "flusher");
    if (walSegmentSize < WalOptions.MIN_SEGMENT_SIZE || walSegmentSize > WalOptions.MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("walSegmentSize out of range " + WalOptions.MIN_SEGMENT_SIZE + ".."
          + WalOptions.MAX_SEGMENT_SIZE + ": " + walSegmentSize);
    }
  }

  /** The memory budget in effect: {@link #memoryBudgetBytes} or, when 0, the pool's size plus 64 MiB. */
  public long effectiveMemoryBudget() {
    return memoryBudgetBytes > 0 ? memoryBudgetBytes : (long) poolFrames * 4096 + (64L << 20);
  }

  /** Every option at its default (see the parameters above). */
  public static DatabaseOptions defaults() {
    return builder().build();
  }

  /** A builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link DatabaseOptions}; every setting starts at its documented default. */
  public static final class Builder {
    private int poolFrames = 4096;
    private Durability durability = Durability.SYNC;
    private int walSegmentSize = WalOptions.DEFAULT_SEGMENT_SIZE;
    private Duration checkpointInterval = Duration.ofSeconds(60);
    private IntFunction<Replacer> replacer = capacity -> ReplacerRegistry.create(ReplacerRegistry.DEFAULT, capacity);
    private LongConsumer recoveryProgress = lsn -> {};
    private IoOptions io = IoOptions.defaults();
    private WalFile.Factory walFiles = NioWalFile.FACTORY;
    private UnaryOperator<IoEngine> ioEngineDecorator = UnaryOperator.identity();
    private boolean backgroundFlush = true;
    private FlusherOptions flusher = FlusherOptions.DEFAULTS;
    private long memoryBudgetBytes;
    private boolean warmPool = true;
    private boolean directIo = true;

    /** Buffer pool size in 4 KiB frames; default 4096 (16 MiB). */
    public Builder poolFrames(int v) { poolFrames = v; return this; }

    /**
     * Buffer pool size in bytes, rounded down to whole 4 KiB frames; default 16 MiB.
     *
     * @throws IllegalArgumentException when that is more than {@link Integer#MAX_VALUE} frames
     */
    public Builder poolBytes(long bytes) {
      long frames = bytes / 4096;
      if (frames > Integer.MAX_VALUE) throw new IllegalArgumentException("pool too large: " + bytes + " bytes");
      poolFrames = (int) frames;
      return this;
    }

    /**
     * The buffer pool's replacement policy by name, one of {@link ReplacerRegistry#NAMES} ({@code lru},
     * {@code clock}, {@code arc}, {@code earc}, {@code lirs}, {@code alirs}, {@code dlirs}, {@code wtinylfu},
     * {@code default}); default {@code default} (dueling LIRS).
     *
     * @throws IllegalArgumentException for an unknown name, or {@code opt} (it needs the future trace)
     */
    public Builder pageCachePolicy(String name) {
      Objects.requireNonNull(name, "name");
      if (!ReplacerRegistry.isKnown(name) || name.equalsIgnoreCase("opt")) {
        throw new IllegalArgumentException("unknown page cache policy " + name + "; known: "
            + ReplacerRegistry.NAMES.stream().filter(n -> !n.equals("opt")).toList());
      }
      replacer = capacity -> ReplacerRegistry.create(name, capacity);
      return this;
    }

    /** Default durability of commits; default {@link Durability#SYNC}. */
    public Builder durability(Durability v) { durability = v; return this; }
    /** WAL segment size in bytes; default 16 MiB. */
    public Builder walSegmentSize(int v) { walSegmentSize = v; return this; }
    /** Time between background checkpoints; default 60 s; {@link Duration#ZERO}: none. */
    public Builder checkpointInterval(Duration v) { checkpointInterval = v; return this; }
    /** The replacement policy as a factory of frame count; default: dueling LIRS. */
    public Builder replacer(IntFunction<Replacer> v) { replacer = v; return this; }
    /** Called with each LSN recovery applies or undoes; default: nothing. */
    public Builder recoveryProgress(LongConsumer v) { recoveryProgress = v; return this; }
    /** The page files' I/O engine; default {@link IoOptions#defaults()} (io_uring where it works). */
    public Builder io(IoOptions v) { io = v; return this; }
    /** Opens WAL segment files; default {@link NioWalFile#FACTORY}. */
    public Builder walFiles(WalFile.Factory v) { walFiles = v; return this; }
    /** Test hook: see {@link DatabaseOptions#ioEngineDecorator()}. */
    public Builder ioEngineDecorator(UnaryOperator<IoEngine> v) { ioEngineDecorator = v; return this; }
    public Builder backgroundFlush(boolean v) { backgroundFlush = v; return this; }
    public Builder flusher(FlusherOptions v) { flusher = v; return this; }
    /** The off-heap memory budget in bytes; 0 (default): the pool's size plus 64 MiB. */
    public Builder memoryBudgetBytes(long v) { memoryBudgetBytes = v; return this; }
    /** Whether close records the pool's pages and open loads them back; default on. */
    public Builder warmPool(boolean v) { warmPool = v; return this; }
    /** Whether page files use O_DIRECT (bypassing the OS page cache); default on. */
    public Builder directIo(boolean v) { directIo = v; return this; }

    /** @throws IllegalArgumentException when a setting is out of range (the message says which) */
    public DatabaseOptions build() {
      return new DatabaseOptions(poolFrames, durability, walSegmentSize, checkpointInterval, replacer, recoveryProgress, io, walFiles,
          ioEngineDecorator, backgroundFlush, flusher, memoryBudgetBytes, warmPool, directIo);
    }
  }
}
