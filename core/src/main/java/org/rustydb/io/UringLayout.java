package org.rustydb.io;

/**
 * The io_uring ABI as the kernel defines it in {@code include/uapi/linux/io_uring.h}: byte offsets of the
 * structures {@link UringIoEngine} reads and writes, constants, and opcodes. All little-endian on the
 * supported architectures (x86-64, aarch64). Sizes are asserted by {@code UringLayoutTest}.
 *
 * <pre>
 * struct io_uring_params (120 bytes), filled in by io_uring_setup:
 *   0 sq_entries u32 | 4 cq_entries u32 | 8 flags u32 | 12 sq_thread_cpu u32 | 16 sq_thread_idle u32
 *  20 features u32   | 24 wq_fd u32     | 28 resv u32[3]
 *  40 sq_off: struct io_sqring_offsets (40 bytes)
 *       +0 head | +4 tail | +8 ring_mask | +12 ring_entries | +16 flags | +20 dropped | +24 array
 *       +28 resv1 | +32 user_addr u64
 *  80 cq_off: struct io_cqring_offsets (40 bytes)
 *       +0 head | +4 tail | +8 ring_mask | +12 ring_entries | +16 overflow | +20 cqes | +24 flags
 *       +28 resv1 | +32 user_addr u64
 *
 * struct io_uring_sqe (64 bytes), one submission:
 *   0 opcode u8 | 1 flags u8 | 2 ioprio u16 | 4 fd s32 | 8 off u64 | 16 addr u64 | 24 len u32
 *  28 rw_flags / fsync_flags u32 | 32 user_data u64 | 40 buf_index u16 | 42 personality u16
 *  44 splice_fd_in s32 | 48 addr3 u64 | 56 pad u64
 *
 * struct io_uring_cqe (16 bytes), one completion:
 *   0 user_data u64 | 8 res s32 (bytes, or -errno) | 12 flags u32
 *
 * struct iovec (16 bytes): 0 base u64 | 8 len u64
 * struct io_uring_files_update (16 bytes): 0 offset u32 | 4 resv u32 | 8 fds u64 (pointer to s32[])
 *
 * Ring memory (mmap of the ring fd at these offsets):
 *   IORING_OFF_SQ_RING  head, tail, mask, entries, flags, dropped, then the u32 index array
 *   IORING_OFF_CQ_RING  head, tail, mask, entries, overflow, then the CQE array
 *                       (the same mapping as the SQ ring when features has IORING_FEAT_SINGLE_MMAP)
 *   IORING_OFF_SQES     the SQE array
 * </pre>
 *
 * Memory ordering: the application writes the SQ tail and CQ head, the kernel writes the SQ head and CQ
 * tail. Each side reads the other's index with acquire and publishes its own with release, so the SQEs
 * written before a tail store are visible to the kernel, and CQEs are read only after the tail that covers
 * them.
 */
final class UringLayout {

  private UringLayout() {}

  static final long PARAMS_SIZE = 120;
  static final long P_SQ_ENTRIES = 0;
  static final long P_CQ_ENTRIES = 4;
  static final long P_FLAGS = 8;
  static final long P_FEATURES = 20;
  static final long P_SQ_OFF = 40;
  static final long P_CQ_OFF = 80;
  static final long RING_OFFSETS_SIZE = 40;

  static final long SQ_HEAD = 0;
  static final long SQ_TAIL = 4;
  static final long SQ_RING_MASK = 8;
  static final long SQ_RING_ENTRIES = 12;
  static final long SQ_ARRAY = 24;

  static final long CQ_HEAD = 0;
  static final long CQ_TAIL = 4;
  static final long CQ_RING_MASK = 8;
  static final long CQ_RING_ENTRIES = 12;
  static final long CQ_CQES = 20;

  static final long SQE_SIZE = 64;
  static final long SQE_OPCODE = 0;
  static final long SQE_FLAGS = 1;
  static final long SQE_IOPRIO = 2;
  static final long SQE_FD = 4;
  static final long SQE_OFF = 8;
  static final long SQE_ADDR = 16;
  static final long SQE_LEN = 24;
  static final long SQE_OP_FLAGS = 28;
  static final long SQE_USER_DATA = 32;
  static final long SQE_BUF_INDEX = 40;

  static final long CQE_SIZE = 16;
  static final long CQE_USER_DATA = 0;
  static final long CQE_RES = 8;

  static final long IOVEC_SIZE = 16;
  static final long FILES_UPDATE_SIZE = 16;

  static final long OFF_SQ_RING = 0L;
  static final long OFF_CQ_RING = 0x8000000L;
  static final long OFF_SQES = 0x10000000L;

  static final byte OP_NOP = 0;
  static final byte OP_WRITEV = 2;
  static final byte OP_FSYNC = 3;
  static final byte OP_READ_FIXED = 4;
  static final byte OP_WRITE_FIXED = 5;
  static final byte OP_READ = 22;
  static final byte OP_WRITE = 23;

  static final byte IOSQE_FIXED_FILE = 1;
  static final int FSYNC_DATASYNC = 1;

  static final int SETUP_CQSIZE = 1 << 3;
  static final int SETUP_CLAMP = 1 << 4;
  static final int SETUP_R_DISABLED = 1 << 6;
  static final int SETUP_SUBMIT_ALL = 1 << 7;
  static final int SETUP_COOP_TASKRUN = 1 << 8;
  static final int SETUP_SINGLE_ISSUER = 1 << 12;
  static final int SETUP_DEFER_TASKRUN = 1 << 13;
  static final int FEAT_SINGLE_MMAP = 1;
  static final int FEAT_NODROP = 1 << 1;

  static final int ENTER_GETEVENTS = 1;

  static final int REGISTER_BUFFERS = 0;
  static final int UNREGISTER_BUFFERS = 1;
  static final int REGISTER_FILES = 2;
  static final int REGISTER_FILES_UPDATE = 6;
  static final int REGISTER_ENABLE_RINGS = 12;

  /** The kernel refuses a registered buffer larger than 1 GiB; larger regions are registered in chunks. */
  static final long MAX_FIXED_BUFFER = 1L << 30;
}
