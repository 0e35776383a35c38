package org.rustydb;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.rustydb.wal.NioWalFile;
import org.rustydb.wal.WalFile;

/**
 * A WAL file factory for crash sweeps: while {@link #armed}, just before each WAL write and fsync it copies
 * the data directory ({@link CrashImages}), and for a write also puts the first half of its bytes into the
 * copy (a torn write). Each image remembers how many commits the test had acknowledged ({@link #acked}).
 */
public final class SweepingWalFiles implements WalFile.Factory {

  public record Image(Path dir, int acked) {}

  private final Path dir;
  private final Path imagesDir;
  private final List<Image> images = new ArrayList<>();
  public final AtomicInteger acked = new AtomicInteger();
  public final AtomicBoolean armed = new AtomicBoolean(); // the WAL writer thread reads it too

  /** Sweeps the database in {@code dir}, putting images under {@code imagesDir}. */
  public SweepingWalFiles(Path dir, Path imagesDir) {
    this.dir = dir;
    this.imagesDir = imagesDir;
  }

  public List<Image> images() {
    synchronized (images) {
      return List.copyOf(images);
    }
  }

  @Override
  public WalFile open(Path path, boolean readOnly) throws IOException {
    WalFile f = NioWalFile.open(path, readOnly);
    return new WalFile() {
      public void write(ByteBuffer src, long position) throws IOException {
        // The WAL writer thread prepares segments through here too: one image at a time.
        synchronized (images) {
          Path img = image();
          if (img != null) {
            Path seg = img.resolve("wal").resolve(path.getFileName().toString());
            if (Files.exists(seg)) {
              try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
                ByteBuffer half = src.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                raf.getChannel().write(half, position);
              }
            }
          }
        }
        f.write(src, position);
      }

      public void force() throws IOException {
        synchronized (images) {
          image();
        }
        f.force();
      }

      public int read(ByteBuffer dst, long position) throws IOException { return f.read(dst, position); }
      public long size() throws IOException { return f.size(); }
      public void close() throws IOException { f.close(); }
    };
  }

  /** Takes an image now when armed (caller holds the images lock); returns its folder or null. */
  private Path image() {
    if (!armed.get()) return null;
    Path img = imagesDir.resolve("img" + images.size());
    CrashImages.copy(dir, img);
    images.add(new Image(img, acked.get()));
    return img;
  }
}
