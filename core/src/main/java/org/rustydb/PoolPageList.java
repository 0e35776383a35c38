package org.rustydb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.zip.CRC32C;
import org.rustydb.disk.DataDirectory;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.PageId;

/**
 * The file {@value #FILE_NAME} in the data directory: the pages the buffer pool held at the last clean close,
 * by page file name (file ids are given out afresh at each open), for {@link org.rustydb.buffer.PoolWarmer}.
 * A hint only: written without fsync, read once at open and deleted; a missing, torn or foreign file just
 * means a cold pool (logged), never an error.
 *
 * <pre>
 *   offset  size  field
 *   0       8     magic "RDBWARM1"
 *   8       4     F: number of files
 *   then F times:
 *           2     L: length of the file name in UTF-8 bytes
 *           L     the file name (in base/)
 *           4     N: number of pages
 *           8*N   page numbers, ascending
 *   end     4     CRC32C of every byte before it
 * </pre>
 */
final class PoolPageList {

  static final String FILE_NAME = "pool_pages";
  private static final byte[] MAGIC = "RDBWARM1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAGIC_SIZE = 8;
  private static final int COUNT_SIZE = 4;
  private static final int NAME_LENGTH_SIZE = 2;
  private static final int PAGE_NO_SIZE = 8;
  private static final int CRC_SIZE = 4;

  private static final System.Logger LOG = System.getLogger(PoolPageList.class.getName());

  private PoolPageList() {}

  /**
   * Writes {@code pageIds} (resident pages of open files of {@code disk}) to {@value #FILE_NAME} in the data
   * directory, through a file in its {@code temp/} (which open() empties) and an atomic rename.
   */
  static void save(DataDirectory dir, DiskManager disk, long[] pageIds) throws IOException {
    Map<Integer, List<Long>> byFile = new LinkedHashMap<>();
    for (long id : pageIds) byFile.computeIfAbsent(PageId.fileId(id), k -> new ArrayList<>()).add(PageId.pageNo(id));
    Map<String, List<Long>> byName = new LinkedHashMap<>();
    for (DiskManager.PageFileInfo f : disk.files()) {
      List<Long> pages = byFile.get(f.fileId());
      if (pages != null) byName.put(f.name(), pages);
    }
    Path tmp = dir.temp().resolve(FILE_NAME + ".tmp");
    Files.write(tmp, encode(byName));
    if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) { // owner only, as the page files
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    Files.move(tmp, dir.root().resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The page ids listed in the data directory's {@value #FILE_NAME} that name pages of {@code disk}'s files now, and
   * deletes the file; empty when there is none or it is damaged (logged).
   */
  static long[] takeFrom(DataDirectory dir, DiskManager disk) {
    Path file = dir.root().resolve(FILE_NAME);
    byte[] bytes;
    try {
      if (!Files.exists(file)) return new long[0];
      bytes = Files.readAllBytes(file);
      Files.delete(file);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot read or delete " + file + " (the pool starts cold): " + e);
      return new long[0];
    }
    Map<String, long[]> byName;
    try {
      byName = decode(bytes);
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, file + " is damaged (the pool starts cold): " + e.getMessage());
      return new long[0];
    }
    long[] out = new long[byName.values().stream().mapToInt(a -> a.length).sum()];
    int n = 0;
    for (Map.Entry<String, long[]> e : byName.entrySet()) {
      OptionalInt id = disk.findFile(e.getKey());
      if (id.isEmpty()) continue; // dropped or damaged since
      long pages = disk.pageCount(id.getAsInt());
      for (long pageNo : e.getValue()) if (pageNo > 0 && pageNo < pages) out[n++] = PageId.of(id.getAsInt(), pageNo);
    }
    return java.util.Arrays.copyOf(out, n);
  }

  static byte[] encode(Map<String, List<Long>> byName) {
    int size = MAGIC_SIZE + COUNT_SIZE + CRC_SIZE;
    for (Map.Entry<String, List<Long>> e : byName.entrySet()) {
      size += NAME_LENGTH_SIZE + e.getKey().getBytes(StandardCharsets.UTF_8).length + COUNT_SIZE
          + PAGE_NO_SIZE * e.getValue().size();
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(MAGIC).putInt(byName.size());
    for (Map.Entry<String, List<Long>> e : byName.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      b.putShort((short) name.length).put(name).putInt(e.getValue().size());
      for (long p : e.getValue()) b.putLong(p);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** @throws IllegalArgumentException naming what is wrong (offset included) */
  static Map<String, long[]> decode(byte[] bytes) {
    if (bytes.length < MAGIC_SIZE + COUNT_SIZE + CRC_SIZE) {
      throw new IllegalArgumentException("too short: " + bytes.length + " bytes");
    }
    for (int i = 0; i < MAGIC_SIZE; i++) {
      if (bytes[i] != MAGIC[i]) throw new IllegalArgumentException("no magic RDBWARM1 at offset 0");
    }
    int body = bytes.length - CRC_SIZE;
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, body);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.getInt(body) != (int) crc.getValue()) throw new IllegalArgumentException("CRC32C mismatch at offset " + body);
    b.position(MAGIC_SIZE).limit(body);
    Map<String, long[]> out = new LinkedHashMap<>();
    try {
      int files = b.getInt();
      if (files < 0) throw new IllegalArgumentException("negative file count at offset " + MAGIC_SIZE);
      for (int f = 0; f < files; f++) {
        byte[] name = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(name);
        int at = b.position();
        int count = b.getInt();
        if (count < 0 || (long) count * PAGE_NO_SIZE > b.remaining()) {
          throw new IllegalArgumentException("page count " + count + " at offset " + at + " runs past the end");
        }
        long[] pages = new long[count];
        for (int i = 0; i < count; i++) pages[i] = b.getLong();
        out.put(new String(name, StandardCharsets.UTF_8), pages);
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("ends inside an entry at offset " + b.position());
    }
    if (b.hasRemaining()) throw new IllegalArgumentException(b.remaining() + " bytes left over at offset " + b.position());
    return out;
  }
}
