package org.rustydb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tables of a database: the text file {@code catalog} at the data directory's root, UTF-8, one line per
 * table, sorted by name:
 *
 * <pre>
 * name&lt;TAB&gt;file&lt;TAB&gt;engine      e.g.  users	table_1.dat	btree
 * </pre>
 *
 * {@code file} is the table's page file in {@code base/}; {@code engine} is {@link EngineKind#catalogName()}
 * ({@code btree} or {@code heap}). Lines of the first format, {@code name<TAB>file}, written before tables
 * had engines, are read as heap tables (the only kind there was); the file is rewritten in the new format at
 * the next change. Blank lines are ignored; any other line is a {@link CorruptionException} naming the line.
 *
 * <p>The file is replaced atomically (write a temp file, fsync, rename, fsync the folder). A new table's page
 * file is created and synced before the catalog names it, and a dropped table leaves the catalog before its
 * file is deleted, so a crash leaves either no table or a whole one (at worst an unnamed page file nobody
 * opens).
 */
final class Catalog {

  static final String NAME = "catalog";
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** A table's catalog line. */
  record Entry(String file, EngineKind engine) {}

  private final Path file;
  private final TreeMap<String, Entry> tables = new TreeMap<>();

  Catalog(Path root) {
    this.file = root.resolve(NAME);
    if (!Files.exists(file)) return;
    try {
      int n = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        n++;
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", -1);
        EngineKind engine;
        if (f.length == 2) {
          engine = EngineKind.HEAP;
        } else if (f.length == 3) {
          try {
            engine = EngineKind.parse(f[2]);
          } catch (IllegalArgumentException e) {
            throw new CorruptionException(file + ": line " + n + " names an unknown engine: " + line);
          }
        } else {
          throw new CorruptionException(file + ": line " + n + " is not name<TAB>file<TAB>engine: " + line);
        }
        if (f[0].isEmpty() || f[1].isEmpty()) {
          throw new CorruptionException(file + ": line " + n + " has an empty name or file: " + line);
        }
        tables.put(f[0], new Entry(f[1], engine));
      }
    } catch (IOException e) {
      throw new DatabaseFailedException("cannot read the table catalog " + file + ": " + e, e);
    }
  }

  /** @throws IllegalArgumentException for a name outside 1..64 of A-Z a-z 0-9 _ . - */
  static void checkName(String name) {
    java.util.Objects.requireNonNull(name, "name");
    if (!TABLE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("table names are 1..64 of A-Z a-z 0-9 _ . -: " + name);
    }
  }

  synchronized Entry get(String name) {
    return tables.get(name);
  }

  synchronized String fileOf(String name) {
    Entry e = tables.get(name);
    return e == null ? null : e.file();
  }

  /** Every table, sorted by name. */
  synchronized Map<String, Entry> tables() {
    return new TreeMap<>(tables);
  }

  synchronized void add(String name, String fileName, EngineKind engine) {
    tables.put(name, new Entry(fileName, engine));
    try {
      write();
    } catch (RuntimeException e) {
      tables.remove(name);
      throw e;
    }
  }

  synchronized void remove(String name) {
    Entry old = tables.remove(name);
    if (old == null) return;
    try {
      write();
    } catch (RuntimeException e) {
      tables.put(name, old);
      throw e;
    }
  }

  private void write() {
    StringBuilder sb = new StringBuilder();
    tables.forEach((k, v) -> sb.append(k).append('\t').append(v.file()).append('\t')
        .append(v.engine().catalogName()).append('\n'));
    Path tmp = file.resolveSibling(NAME + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new DatabaseFailedException("cannot write the table catalog " + file + ": " + e, e);
    }
  }
}
