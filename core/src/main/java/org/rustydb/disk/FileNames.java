package org.rustydb.disk;

import org.rustydb.OperationFailedException;

/**
 * Checks names of files the caller asks for (a table's page file, a temp file), so that no name can reach
 * outside its folder: only letters, digits, '.', '_' and '-', at most 200 characters, not starting with
 * '.'. That rules out "..", separators, absolute paths, NUL and the empty name.
 */
public final class FileNames {

  public static final int MAX_LENGTH = 200;

  private FileNames() {}

  /** Returns {@code name} if it is a safe file name, else throws {@link OperationFailedException} saying why. */
  public static String check(String name) {
    String problem = problem(name);
    if (problem != null) throw new OperationFailedException("bad file name " + quote(name) + ": " + problem);
    return name;
  }

  /** Why {@code name} is not a safe file name, or null. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) return "empty";
    if (name.length() > MAX_LENGTH) return "longer than " + MAX_LENGTH + " characters";
    if (name.charAt(0) == '.') return "starts with '.'";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return c == '/' || c == '\\' ? "contains a path separator"
            : c == 0 ? "contains NUL" : "contains '" + (Character.isISOControl(c) ? "\\u" + (int) c : c) + "'";
      }
    }
    return null;
  }

  private static String quote(String name) {
    if (name == null) return "null";
    return "\"" + name.replace("\0", "\\0") + "\"";
  }
}
