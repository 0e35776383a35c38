package org.rustydb.memory;

/**
 * The spec's transaction size profiles: how much working memory a {@link TransactionArena} starts with
 * and the most it may hold. A transaction that reaches its profile's limit fails its allocation (that
 * transaction alone); a caller that expects more picks a larger profile.
 */
public enum TransactionProfile {
  /** Under 10 KB of working memory: 4 KiB first chunk, 64 KiB limit. */
  TINY(4 * Sizes.KiB, 64 * Sizes.KiB),
  /** 10-100 KB: 32 KiB first chunk, 512 KiB limit. */
  SMALL(32 * Sizes.KiB, 512 * Sizes.KiB),
  /** 100 KB-1 MB: 256 KiB first chunk, 4 MiB limit. */
  MEDIUM(256 * Sizes.KiB, 4 * Sizes.MiB),
  /** 1-10 MB: 2 MiB first chunk, 32 MiB limit. */
  LARGE(2 * Sizes.MiB, 32 * Sizes.MiB),
  /** Over 10 MB: 16 MiB first chunk, 256 MiB limit. */
  HUGE(16 * Sizes.MiB, 256 * Sizes.MiB);

  private final long initialBytes;
  private final long limitBytes;

  TransactionProfile(long initialBytes, long limitBytes) {
    this.initialBytes = initialBytes;
    this.limitBytes = limitBytes;
  }

  /** The size of the first chunk. */
  public long initialBytes() {
    return initialBytes;
  }

  /** The most chunk memory an arena of this profile may hold. */
  public long limitBytes() {
    return limitBytes;
  }

  /** The profile the spec gives a transaction expecting {@code expectedBytes} of working memory. */
  public static TransactionProfile forExpectedBytes(long expectedBytes) {
    if (expectedBytes < 10_000) return TINY;
    if (expectedBytes < 100_000) return SMALL;
    if (expectedBytes < 1_000_000) return MEDIUM;
    if (expectedBytes < 10_000_000) return LARGE;
    return HUGE;
  }
}
