package org.rustydb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A {@link WalFile.Factory} that "crashes" at its Nth write or fsync: from then on every I/O fails, and
 * every write not yet fsynced is torn at 512-byte sector granularity (each sector randomly keeps the new
 * bytes or gets its old ones back), as a power failure may leave it. Synced data is never touched.
 */
final class CrashingFiles implements WalFile.Factory {

  private static final int SECTOR = 512;

  private record Unsynced(Path path, long position, byte[] old) {}

  private final Random rnd;
  private int opsUntilCrash;
  private boolean crashed;
  private final List<Unsynced> unsynced = new ArrayList<>();

  CrashingFiles(Random rnd, int opsUntilCrash) {
    this.rnd = rnd;
    this.opsUntilCrash = opsUntilCrash;
  }

  synchronized boolean crashed() {
    return crashed;
  }

  private synchronized void tick(Path path) throws IOException {
    if (!crashed && opsUntilCrash-- <= 0) crash();
    if (crashed) throw new IOException("simulated crash (I/O on " + path + ")");
  }

  private void crash() throws IOException {
    crashed = true;
    for (Unsynced u : unsynced) {
      try (FileChannel ch = FileChannel.open(u.path, StandardOpenOption.WRITE)) {
        for (int s = 0; s < u.old.length; s += SECTOR) {
          if (rnd.nextBoolean()) ch.write(ByteBuffer.wrap(u.old, s, Math.min(SECTOR, u.old.length - s)), u.position + s);
        }
      } catch (java.nio.file.NoSuchFileException renamedAway) {
        // a .prep file renamed into place: its unsynced bytes are in the new name's list too
      }
    }
    unsynced.clear();
  }

  @Override
  public WalFile open(Path path, boolean readOnly) throws IOException {
    WalFile real = NioWalFile.open(path, readOnly);
    return new WalFile() {
      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        synchronized (CrashingFiles.this) {
          tick(path);
          ByteBuffer old = ByteBuffer.allocate(src.remaining());
          real.read(old, position);
          unsynced.add(new Unsynced(path, position, old.array()));
          real.write(src, position);
        }
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
      }

      @Override
      public void force() throws IOException {
        synchronized (CrashingFiles.this) {
          tick(path);
          real.force();
          unsynced.removeIf(u -> u.path.equals(path));
        }
      }

      @Override
      public long size() throws IOException {
        return real.size();
      }

      @Override
      public void close() throws IOException {
        real.close();
      }
    };
  }
}
