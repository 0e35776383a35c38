package org.rustydb.io;

/**
 * How {@link IoEngine#open} opens a file.
 *
 * @param write open for reading and writing (otherwise read-only)
 * @param create create the file if it does not exist (needs {@code write})
 * @param direct bypass the OS page cache (O_DIRECT): every offset, length and buffer address must then be
 *     a multiple of {@link IoEngine#DIRECT_IO_ALIGNMENT}, which the engine checks per request
 */
public record FileOpenOptions(boolean write, boolean create, boolean direct) {

  public FileOpenOptions {
    if (create && !write) throw new IllegalArgumentException("create needs write");
  }

  public static FileOpenOptions readOnly() {
    return new FileOpenOptions(false, false, false);
  }

  public static FileOpenOptions readWrite() {
    return new FileOpenOptions(true, false, false);
  }

  public static FileOpenOptions createReadWrite() {
    return new FileOpenOptions(true, true, false);
  }

  public FileOpenOptions withDirect(boolean on) {
    return new FileOpenOptions(write, create, on);
  }
}
