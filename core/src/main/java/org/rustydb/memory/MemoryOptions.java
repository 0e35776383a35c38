package org.rustydb.memory;

import java.time.Duration;

/**
 * Settings of a {@link MemoryManager}. Build with {@link #builder()}; every setting has a default.
 *
 * @param budgetBytes the limit on all off-heap memory of the engine (default 1 GiB)
 * @param slabRegionBytes bytes the slab allocator takes at a time (default 4 MiB)
 * @param slabBytes bytes given to one size class at a time (default 256 KiB)
 * @param hugePages which huge pages the large-object allocator tries (default AUTO)
 * @param useNativeMapping whether large objects use mmap (default true; false uses Arena.ofShared())
 * @param maxIdleArenasPerProfile finished arenas kept per profile for reuse (default 16)
 * @param forecastInterval how often the forecaster samples the budget; {@link Duration#ZERO} runs no
 *     sampling thread (then call {@link MemoryManager#sample(long)}) (default 1 s)
 */
public record MemoryOptions(
    long budgetBytes,
    long slabRegionBytes,
    int slabBytes,
    LargeObjectAllocator.HugePagePolicy hugePages,
    boolean useNativeMapping,
    int maxIdleArenasPerProfile,
    Duration forecastInterval) {

  public MemoryOptions {
    if (budgetBytes <= 0) throw new IllegalArgumentException("budgetBytes must be positive: " + budgetBytes);
    if (hugePages == null) throw new IllegalArgumentException("hugePages is required");
    if (forecastInterval == null || forecastInterval.isNegative()) {
      throw new IllegalArgumentException("forecastInterval must be zero or positive: " + forecastInterval);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static MemoryOptions defaults() {
    return builder().build();
  }

  /** Builds {@link MemoryOptions}. */
  public static final class Builder {
    private long budgetBytes = Sizes.GiB;
    private long slabRegionBytes = SlabAllocator.DEFAULT_REGION_BYTES;
    private int slabBytes = SlabAllocator.DEFAULT_SLAB_BYTES;
    private LargeObjectAllocator.HugePagePolicy hugePages = LargeObjectAllocator.HugePagePolicy.AUTO;
    private boolean useNativeMapping = true;
    private int maxIdleArenasPerProfile = ArenaPool.DEFAULT_MAX_IDLE_PER_PROFILE;
    private Duration forecastInterval = Duration.ofSeconds(1);

    private Builder() {}

    public Builder budgetBytes(long v) {
      budgetBytes = v;
      return this;
    }

    public Builder slabRegionBytes(long v) {
      slabRegionBytes = v;
      return this;
    }

    public Builder slabBytes(int v) {
      slabBytes = v;
      return this;
    }

    public Builder hugePages(LargeObjectAllocator.HugePagePolicy v) {
      hugePages = v;
      return this;
    }

    public Builder useNativeMapping(boolean v) {
      useNativeMapping = v;
      return this;
    }

    public Builder maxIdleArenasPerProfile(int v) {
      maxIdleArenasPerProfile = v;
      return this;
    }

    public Builder forecastInterval(Duration v) {
      forecastInterval = v;
      return this;
    }

    public MemoryOptions build() {
      return new MemoryOptions(budgetBytes, slabRegionBytes, slabBytes, hugePages, useNativeMapping,
          maxIdleArenasPerProfile, forecastInterval);
    }
  }
}
