package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The io_uring ABI offsets against the sizes the kernel header gives. */
class UringLayoutTest {

  @Test
  void structureSizesMatchTheKernelAbi() {
    assertThat(UringLayout.PARAMS_SIZE).isEqualTo(LinuxNative.IO_URING_PARAMS_SIZE).isEqualTo(120);
    assertThat(UringLayout.P_SQ_OFF + UringLayout.RING_OFFSETS_SIZE).isEqualTo(UringLayout.P_CQ_OFF);
    assertThat(UringLayout.P_CQ_OFF + UringLayout.RING_OFFSETS_SIZE).isEqualTo(UringLayout.PARAMS_SIZE);
    assertThat(UringLayout.SQE_SIZE).isEqualTo(64);
    assertThat(UringLayout.SQE_BUF_INDEX + 2 + 2 + 4 + 8 + 8).isEqualTo(UringLayout.SQE_SIZE);
    assertThat(UringLayout.SQE_USER_DATA + 8).isEqualTo(UringLayout.SQE_BUF_INDEX);
    assertThat(UringLayout.SQE_LEN + 4).isEqualTo(UringLayout.SQE_OP_FLAGS);
    assertThat(UringLayout.CQE_SIZE).isEqualTo(16);
    assertThat(UringLayout.CQE_RES + 4 + 4).isEqualTo(UringLayout.CQE_SIZE);
    assertThat(UringLayout.IOVEC_SIZE).isEqualTo(16);
    assertThat(UringLayout.OP_READ).isEqualTo((byte) 22);
    assertThat(UringLayout.OP_WRITE).isEqualTo((byte) 23);
    assertThat(UringLayout.SQE_FLAGS + 1).isEqualTo(UringLayout.SQE_IOPRIO);
    assertThat(UringLayout.SQE_IOPRIO + 2).isEqualTo(UringLayout.SQE_FD);
  }

  @Test
  void setupFlagsAreTheKernelsBits() {
    // include/uapi/linux/io_uring.h: IORING_SETUP_R_DISABLED (1U << 6) ... DEFER_TASKRUN (1U << 13)
    assertThat(UringLayout.SETUP_R_DISABLED).isEqualTo(0x40);
    assertThat(UringLayout.SETUP_SUBMIT_ALL).isEqualTo(0x80);
    assertThat(UringLayout.SETUP_COOP_TASKRUN).isEqualTo(0x100);
    assertThat(UringLayout.SETUP_SINGLE_ISSUER).isEqualTo(0x1000);
    assertThat(UringLayout.SETUP_DEFER_TASKRUN).isEqualTo(0x2000);
    assertThat(UringLayout.REGISTER_ENABLE_RINGS).isEqualTo(12);
  }
}
