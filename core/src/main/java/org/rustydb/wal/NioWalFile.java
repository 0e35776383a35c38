package org.rustydb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@link WalFile} over {@link FileChannel}: the one class of the log that talks to the file system for
 * segment I/O. It stands in for the disk manager and I/O engine, which are built on other branches; when
 * they land, the WAL's I/O moves to the I/O engine (critical priority) behind the same {@link WalFile}.
 */
public final class NioWalFile implements WalFile {

  /** The standard factory. */
  public static final WalFile.Factory FACTORY = NioWalFile::open;

  private final FileChannel channel;

  private NioWalFile(FileChannel channel) {
    this.channel = channel;
  }

  public static NioWalFile open(Path path, boolean readOnly) throws IOException {
    return new NioWalFile(readOnly
        ? FileChannel.open(path, StandardOpenOption.READ)
        : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE));
  }

  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    while (src.hasRemaining()) {
      position += channel.write(src, position);
    }
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, position + total);
      if (n < 0) break;
      total += n;
    }
    return total;
  }

  @Override
  public void force() throws IOException {
    channel.force(false);
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** fsyncs a directory, so a file created or renamed in it survives a crash. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
