package org.rustydb.cli;

import org.rustydb.OperationFailedException;

/**
 * Parses one line of a {@code rustydb load} input file into a key and a value (both text).
 *
 * <ul>
 *   <li>CSV: {@code key,value}. A field may be quoted ({@code "a,b"}, with {@code ""} for a quote inside);
 *       an unquoted value runs to the end of the line, commas included. A record cannot span lines.</li>
 *   <li>JSON lines: one object per line with string members {@code "key"} and {@code "value"} (other
 *       members of any JSON type are skipped); the usual escapes, {@code \}{@code uXXXX} included.</li>
 * </ul>
 */
final class LoadRecords {

  enum Format { CSV, JSONL }

  record Entry(String key, String value) {}

  private LoadRecords() {}

  /** The format of {@code fileName} by its extension, or null when it does not say. */
  static Format byExtension(String fileName) {
    String n = fileName.toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".csv")) return Format.CSV;
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) return Format.JSONL;
    return null;
  }

  static Entry parse(Format f, String line) {
    return f == Format.CSV ? csv(line) : json(line);
  }

  // ------------------------------------------------------------------ CSV

  static Entry csv(String line) {
    int[] pos = {0};
    String key = csvField(line, pos, true);
    if (pos[0] >= line.length() || line.charAt(pos[0]) != ',') {
      throw new OperationFailedException("expected key,value");
    }
    pos[0]++;
    String value = csvField(line, pos, false);
    if (pos[0] != line.length()) throw new OperationFailedException("text after the quoted value");
    return new Entry(key, value);
  }

  private static String csvField(String line, int[] pos, boolean stopAtComma) {
    int i = pos[0];
    if (i < line.length() && line.charAt(i) == '"') {
      StringBuilder sb = new StringBuilder();
      for (i++; ; i++) {
        if (i >= line.length()) throw new OperationFailedException("unterminated quoted field");
        char c = line.charAt(i);
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            sb.append('"');
            i++;
          } else {
            pos[0] = i + 1;
            return sb.toString();
          }
        } else {
          sb.append(c);
        }
      }
    }
    int end = stopAtComma ? line.indexOf(',', i) : line.length();
    if (end < 0) end = line.length();
    pos[0] = end;
    return line.substring(i, end);
  }

  // ------------------------------------------------------------------ JSON lines

  static Entry json(String line) {
    Json p = new Json(line);
    p.ws();
    p.expect('{');
    String key = null;
    String value = null;
    p.ws();
    if (p.peek() == '}') {
      p.i++;
    } else {
      while (true) {
        p.ws();
        String name = p.string();
        p.ws();
        p.expect(':');
        p.ws();
        if (name.equals("key") || name.equals("value")) {
          if (p.peek() != '"') throw new OperationFailedException("\"" + name + "\" must be a string");
          if (name.equals("key")) key = p.string();
          else value = p.string();
        } else {
          p.skipValue();
        }
        p.ws();
        char c = p.next();
        if (c == '}') break;
        if (c != ',') throw new OperationFailedException("expected , or } at column " + p.i);
      }
    }
    p.ws();
    if (p.i != line.length()) throw new OperationFailedException("text after the object at column " + (p.i + 1));
    if (key == null) throw new OperationFailedException("no \"key\" member");
    if (value == null) throw new OperationFailedException("no \"value\" member");
    return new Entry(key, value);
  }

  /** A cursor over one line of JSON. */
  private static final class Json {
    final String s;
    int i;

    Json(String s) {
      this.s = s;
    }

    char peek() {
      if (i >= s.length()) throw new OperationFailedException("unexpected end of line");
      return s.charAt(i);
    }

    char next() {
      char c = peek();
      i++;
      return c;
    }

    void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    void expect(char c) {
      if (next() != c) throw new OperationFailedException("expected " + c + " at column " + i);
    }

    String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') return sb.toString();
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (i + 4 > s.length()) throw new OperationFailedException("short \\u escape at column " + i);
            try {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException x) {
              throw new OperationFailedException("bad \\u escape at column " + i);
            }
            i += 4;
          }
          default -> throw new OperationFailedException("bad escape \\" + e + " at column " + i);
        }
      }
    }

    /** Skips any JSON value (string, number, literal, object, array). */
    void skipValue() {
      char c = peek();
      if (c == '"') {
        string();
      } else if (c == '{' || c == '[') {
        int depth = 0;
        do {
          char d = peek();
          if (d == '"') {
            string();
            continue;
          }
          i++;
          if (d == '{' || d == '[') depth++;
          else if (d == '}' || d == ']') depth--;
        } while (depth > 0);
      } else {
        int start = i;
        while (i < s.length() && ",}] \t".indexOf(s.charAt(i)) < 0) i++;
        if (i == start) throw new OperationFailedException("expected a value at column " + (i + 1));
      }
    }
  }
}
