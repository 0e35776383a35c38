package org.rustydb.wal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

/**
 * Archives a segment gzip-compressed: writes {@code target.tmp}, fsyncs it, renames it to {@code target}
 * and fsyncs the directory, so an archive file that exists is complete (a crash leaves at most a
 * {@code .tmp} that the next attempt overwrites).
 */
public final class GzipSegmentArchiver implements SegmentArchiver {

  public static final GzipSegmentArchiver INSTANCE = new GzipSegmentArchiver();

  @Override
  public void archive(Path segment, Path target) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      Files.copy(segment, out);
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    NioWalFile.syncDirectory(target.getParent());
  }
}
