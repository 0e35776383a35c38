package org.rustydb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link WalFile.Factory} whose files fail their Nth fsync or write from the moment it is armed. */
final class FaultyFiles implements WalFile.Factory {

  final AtomicInteger forcesUntilFailure = new AtomicInteger(-1);
  final AtomicInteger writesUntilFailure = new AtomicInteger(-1);
  final AtomicInteger forces = new AtomicInteger();

  @Override
  public WalFile open(Path path, boolean readOnly) throws IOException {
    WalFile real = NioWalFile.open(path, readOnly);
    return new WalFile() {
      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        if (writesUntilFailure.get() >= 0 && writesUntilFailure.getAndDecrement() == 0) {
          throw new IOException("injected write failure on " + path);
        }
        real.write(src, position);
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
      }

      @Override
      public void force() throws IOException {
        forces.incrementAndGet();
        if (forcesUntilFailure.get() >= 0 && forcesUntilFailure.getAndDecrement() == 0) {
          throw new IOException("injected fsync failure (EIO) on " + path);
        }
        real.force();
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
