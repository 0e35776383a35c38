package org.rustydb.bench.ycsb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * Encodes a YCSB record (field name to bytes) as the one value stored per key, shared by every binding so
 * that all engines store exactly the same bytes.
 *
 * <pre>
 * value  = field*                         (in the record's iteration order)
 * field  = nameLen:u16 BE | name:UTF-8[nameLen] | valueLen:u32 BE | value[valueLen]
 * </pre>
 */
public final class RecordCodec {

  /** Size of the name-length prefix. */
  static final int NAME_LEN_BYTES = 2;
  /** Size of the value-length prefix. */
  static final int VALUE_LEN_BYTES = 4;

  private RecordCodec() {}

  /** Encodes {@code fields}; consumes their iterators. */
  public static byte[] encode(Map<String, ByteIterator> fields) {
    Map<String, byte[]> raw = new LinkedHashMap<>();
    for (Map.Entry<String, ByteIterator> e : fields.entrySet()) raw.put(e.getKey(), e.getValue().toArray());
    return encodeRaw(raw);
  }

  /** Encodes already materialized fields. */
  public static byte[] encodeRaw(Map<String, byte[]> fields) {
    int size = 0;
    for (Map.Entry<String, byte[]> e : fields.entrySet()) {
      int nameLen = e.getKey().getBytes(StandardCharsets.UTF_8).length;
      if (nameLen > 0xFFFF) throw new IllegalArgumentException("field name longer than 65535 bytes");
      size += NAME_LEN_BYTES + nameLen + VALUE_LEN_BYTES + e.getValue().length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    for (Map.Entry<String, byte[]> e : fields.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      b.putShort((short) name.length).put(name).putInt(e.getValue().length).put(e.getValue());
    }
    return b.array();
  }

  /** Decodes every field of {@code value}, in stored order. */
  public static Map<String, byte[]> decodeRaw(byte[] value) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    ByteBuffer b = ByteBuffer.wrap(value);
    while (b.hasRemaining()) {
      if (b.remaining() < NAME_LEN_BYTES) throw corrupt(value, b);
      int nameLen = Short.toUnsignedInt(b.getShort());
      if (b.remaining() < nameLen + VALUE_LEN_BYTES) throw corrupt(value, b);
      byte[] name = new byte[nameLen];
      b.get(name);
      int valueLen = b.getInt();
      if (valueLen < 0 || b.remaining() < valueLen) throw corrupt(value, b);
      byte[] v = new byte[valueLen];
      b.get(v);
      out.put(new String(name, StandardCharsets.UTF_8), v);
    }
    return out;
  }

  /** Decodes {@code value} into {@code result}, keeping only {@code fields} (all when null). */
  public static void decode(byte[] value, Set<String> fields, Map<String, ByteIterator> result) {
    for (Map.Entry<String, byte[]> e : decodeRaw(value).entrySet()) {
      if (fields == null || fields.contains(e.getKey())) result.put(e.getKey(), new ByteArrayByteIterator(e.getValue()));
    }
  }

  private static IllegalStateException corrupt(byte[] value, ByteBuffer b) {
    return new IllegalStateException("malformed record: truncated at byte " + b.position() + " of " + value.length);
  }
}
