package org.rustydb.wal;

/**
 * The byte format of one log record and of the payload of each record type. Little-endian throughout.
 *
 * <pre>
 *  record header (28 bytes)
 *  offset  size  field
 *  ------  ----  --------------------------------------------------------------------------------
 *       0     4  length     total bytes of the record, header included (28 .. max record size)
 *       4     4  crc        CRC32C over: the record's own LSN (u64), bytes 0..3, bytes 8..length-1
 *       8     1  type       LogRecordType code
 *       9     1  flags      0 (reserved)
 *      10     2  reserved   0
 *      12     8  txn id     writing transaction, 0 for none
 *      20     8  prev LSN   the transaction's previous record, 0 for none
 *      28        payload    per type, below
 *
 *  +--------+--------+----+----+------+----------+----------+---------------------------+
 *  | length |  crc   |type|flag| rsvd |  txn id  | prev LSN | payload ...               |
 *  +--------+--------+----+----+------+----------+----------+---------------------------+
 *
 *  payloads
 *    BEGIN, ABORT, SEGMENT_SWITCH   (none)
 *    COMMIT                         u64 timestamp (ms since the epoch)
 *    CHECKPOINT_BEGIN               u64 timestamp | u64 next transaction id (logs written before it had
 *                                   only the timestamp: read as next transaction id 0)
 *    UPDATE                         u16 rm id | u64 page id | u32 redo length | redo | undo (the rest)
 *    COMPENSATION                   u16 rm id | u64 page id | u64 undo-next LSN | redo (the rest)
 *    FULL_PAGE_IMAGE                u64 page id | 4096 bytes page image
 *    CHECKPOINT_END                 u64 begin LSN | u32 n dirty | u32 n active |
 *                                   n dirty x (u64 page id, u64 rec LSN) | n active x (u64 txn id, u64 last LSN)
 * </pre>
 *
 * <p>Why the LSN is in the CRC but not in the record: segment files are recycled by renaming, so a
 * recycled file still holds the records of its previous life. Those records checksummed against another
 * position, so they never pass as records of the new one, and the reader needs no stored LSN to tell.
 *
 * <p>Records never span segments: a record that does not fit in the rest of a segment is preceded by a
 * {@code SEGMENT_SWITCH} record (a bare header) and goes to the next segment. The writer keeps the rest of
 * a segment either 0 bytes or at least one header long, so there is always room for that switch record.
 * A record is thus at most {@code segmentSize - SegmentHeaderLayout.SIZE - HEADER_SIZE} bytes (and at
 * most the writer's buffer minus a header).
 */
public final class LogRecordLayout {

  public static final int LENGTH_OFFSET = 0;
  public static final int CRC_OFFSET = LENGTH_OFFSET + Integer.BYTES;
  public static final int TYPE_OFFSET = CRC_OFFSET + Integer.BYTES;
  public static final int FLAGS_OFFSET = TYPE_OFFSET + Byte.BYTES;
  public static final int RESERVED_OFFSET = FLAGS_OFFSET + Byte.BYTES;
  public static final int TXN_ID_OFFSET = RESERVED_OFFSET + Short.BYTES;
  public static final int PREV_LSN_OFFSET = TXN_ID_OFFSET + Long.BYTES;
  public static final int HEADER_SIZE = PREV_LSN_OFFSET + Long.BYTES;

  /** Size of a SEGMENT_SWITCH record: a bare header. */
  public static final int SWITCH_SIZE = HEADER_SIZE;

  // Payload field sizes, in order, per type.
  public static final int COMMIT_PAYLOAD = Long.BYTES;
  public static final int CHECKPOINT_BEGIN_PAYLOAD = 2 * Long.BYTES;
  /** The first format's checkpoint-begin payload: the timestamp alone. Still read. */
  public static final int CHECKPOINT_BEGIN_PAYLOAD_V1 = Long.BYTES;
  public static final int UPDATE_FIXED_PAYLOAD = Short.BYTES + Long.BYTES + Integer.BYTES;
  public static final int COMPENSATION_FIXED_PAYLOAD = Short.BYTES + Long.BYTES + Long.BYTES;
  public static final int FULL_PAGE_IMAGE_PAYLOAD = Long.BYTES + org.rustydb.page.PageLayout.PAGE_SIZE;
  public static final int CHECKPOINT_END_FIXED_PAYLOAD = Long.BYTES + Integer.BYTES + Integer.BYTES;
  public static final int CHECKPOINT_END_ENTRY = 2 * Long.BYTES;

  private LogRecordLayout() {}
}
