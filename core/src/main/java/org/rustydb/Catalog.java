package org.rustydb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Table name to page file name, in the text file {@code catalog} at the data directory's root: one
 * {@code name<TAB>file} line per table. Replaced atomically (temp file, fsync, rename, fsync the folder)
 * after the table's page file is created and synced, so a crash leaves either no table or a whole one (at
 * worst an unnamed page file nobody opens).
 */
final class Catalog {

  static final String NAME = "catalog";
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final Path file;
  private final TreeMap<String, String> tables = new TreeMap<>();

  Catalog(Path root) {
    this.file = root.resolve(NAME);
    if (!Files.exists(file)) return;
    try {
      int n = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        n++;
        if (line.isEmpty()) continue;
        int tab = line.indexOf('\t');
        if (tab < 0) throw new CorruptionException(file + ": line " + n + " is not name<TAB>file: " + line);
        tables.put(line.substring(0, tab), line.substring(tab + 1));
      }
    } catch (IOException e) {
      throw new DatabaseFailedException("cannot read the table catalog " + file + ": " + e, e);
    }
  }

  static void checkName(String name) {
    if (!TABLE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("table names are 1..64 of A-Z a-z 0-9 _ . -: " + name);
    }
  }

  synchronized String fileOf(String name) {
    return tables.get(name);
  }

  synchronized Map<String, String> tables() {
    return Map.copyOf(tables);
  }

  synchronized void add(String name, String fileName) {
    tables.put(name, fileName);
    StringBuilder sb = new StringBuilder();
    tables.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
    Path tmp = file.resolveSibling(NAME + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      tables.remove(name);
      throw new DatabaseFailedException("cannot write the table catalog " + file + ": " + e, e);
    }
  }
}
