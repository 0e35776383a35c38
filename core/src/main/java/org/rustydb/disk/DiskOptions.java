package org.rustydb.disk;

/**
 * How a {@link DiskManager} does its I/O. Build with {@link #builder()}; {@link #defaults()} are the
 * spec's values.
 *
 * @param directIo try O_DIRECT (bypass the OS page cache); falls back to buffered I/O, logged once,
 *     where the file system refuses it
 * @param growthChunkPages a file grows by at least this many pages at a time (a hole ended by one written
 *     zero page), so that allocation rarely changes the file's size; by an eighth of its size once that is
 *     more, up to 32 MiB at a time
 * @param sequentialThreshold this many reads of consecutive pages of one file trigger read-ahead
 * @param prefetchPages pages read ahead, in one I/O, when read-ahead triggers; 0 turns read-ahead off
 * @param readAheadCachePages how many read-ahead pages the disk manager holds until they are read
 *     (at least {@code prefetchPages}); the oldest unread one is dropped (counted as wasted) when full
 * @param verifyChecksums check every page's CRC32C (see {@link PageCrc}) as it is read and throw a
 *     {@code CorruptionException} on a mismatch; all-zero (never written) pages pass
 * @param mappedReads without O_DIRECT, read pages by copying them from a read-only memory mapping of the
 *     file ({@link org.rustydb.io.MappedFile}) instead of a {@code pread}: no system call for a page in the OS
 *     page cache. No effect with O_DIRECT, where memory mappings are not available (not Linux), or with an
 *     I/O engine that must see every read ({@link org.rustydb.io.IoEngine#allowsMappedReads()})
 */
public record DiskOptions(
    boolean directIo,
    int growthChunkPages,
    int sequentialThreshold,
    int prefetchPages,
    int readAheadCachePages,
    boolean verifyChecksums,
    boolean mappedReads) {

  public DiskOptions {
    if (growthChunkPages < 1 || growthChunkPages > 1 << 16) {
      throw new IllegalArgumentException("growthChunkPages must be 1..65536: " + growthChunkPages);
    }
    if (sequentialThreshold < 1) {
      throw new IllegalArgumentException("sequentialThreshold must be >= 1: " + sequentialThreshold);
    }
    if (prefetchPages < 0 || prefetchPages > 1024) {
      throw new IllegalArgumentException("prefetchPages must be 0..1024: " + prefetchPages);
    }
    if (readAheadCachePages < prefetchPages || readAheadCachePages > 1 << 16) {
      throw new IllegalArgumentException(
          "readAheadCachePages must be prefetchPages.." + (1 << 16) + ": " + readAheadCachePages);
    }
  }

  /**
   * O_DIRECT on, 64-page growth, read-ahead of 8 pages after 3 sequential reads, checksums verified, mapped
   * reads where O_DIRECT is off.
   */
  public static DiskOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .directIo(directIo)
        .growthChunkPages(growthChunkPages)
        .sequentialThreshold(sequentialThreshold)
        .prefetchPages(prefetchPages)
        .readAheadCachePages(readAheadCachePages)
        .verifyChecksums(verifyChecksums)
        .mappedReads(mappedReads);
  }

  public static final class Builder {
    private boolean directIo = true;
    private int growthChunkPages = 64;
    private int sequentialThreshold = 3;
    private int prefetchPages = 8;
    private int readAheadCachePages = 64;
    private boolean verifyChecksums = true;
    private boolean mappedReads = true;

    private Builder() {}

    public Builder directIo(boolean v) {
      directIo = v;
      return this;
    }

    public Builder growthChunkPages(int v) {
      growthChunkPages = v;
      return this;
    }

    public Builder sequentialThreshold(int v) {
      sequentialThreshold = v;
      return this;
    }

    public Builder prefetchPages(int v) {
      prefetchPages = v;
      return this;
    }

    public Builder readAheadCachePages(int v) {
      readAheadCachePages = v;
      return this;
    }

    public Builder verifyChecksums(boolean v) {
      verifyChecksums = v;
      return this;
    }

    public Builder mappedReads(boolean v) {
      mappedReads = v;
      return this;
    }

    public DiskOptions build() {
      return new DiskOptions(directIo, growthChunkPages, sequentialThreshold, prefetchPages, readAheadCachePages,
          verifyChecksums, mappedReads);
    }
  }
}
