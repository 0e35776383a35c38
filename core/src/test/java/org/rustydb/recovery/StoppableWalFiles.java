package org.rustydb.recovery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.rustydb.wal.NioWalFile;
import org.rustydb.wal.WalFile;

/**
 * WAL segment files that stop when the machine dies: once {@code dead} says so (the page files' fault
 * injecting engine crashed), every write and fsync fails, so no log record reaches the disk after the
 * crash point. {@link #loseUnsynced()} then plays power loss: every write not yet fsynced gets its old
 * bytes back. Synced data is never touched.
 */
final class StoppableWalFiles implements WalFile.Factory {

  private record Unsynced(Path path, long position, byte[] old) {}

  private final List<Unsynced> unsynced = new ArrayList<>();
  private volatile BooleanSupplier dead = () -> false;

  void stopWhen(BooleanSupplier dead) {
    this.dead = dead;
  }

  private void check(Path path) throws IOException {
    if (dead.getAsBoolean()) throw new IOException("simulated crash: no WAL I/O on " + path + " after it");
  }

  /** Puts back the old bytes of every unsynced write, newest first. */
  synchronized void loseUnsynced() throws IOException {
    for (int i = unsynced.size() - 1; i >= 0; i--) {
      Unsynced u = unsynced.get(i);
      try (FileChannel ch = FileChannel.open(u.path, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(u.old);
        long at = u.position;
        while (b.hasRemaining()) at += ch.write(b, at);
      } catch (NoSuchFileException renamedAway) {
        // a prepared segment renamed into place since: its writes are listed under the new name too
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
        synchronized (StoppableWalFiles.this) {
          check(path);
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
        synchronized (StoppableWalFiles.this) {
          check(path);
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
