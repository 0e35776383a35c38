package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on a ring set up as on kernels before 5.19 (no COOP_TASKRUN, SINGLE_ISSUER,
 * DEFER_TASKRUN): the path the engine takes when the kernel refuses those flags.
 */
class UringIoEngineWithoutTaskrunFlagsTest extends IoEngineContractTest {

  @BeforeAll
  static void needsUring() {
    String why = IoEngines.uringUnavailableReason();
    assumeTrue(why == null, "io_uring unavailable here: " + why);
  }

  @Override
  IoEngine newEngine(IoOptions.Builder options) {
    return new UringIoEngine(options.build(), UringLayout.SETUP_SUBMIT_ALL);
  }

  @Test
  void theRingHasNoneOfTheTaskrunFlags() {
    int flags = ((UringIoEngine) engine).setupFlags();
    assertThat(flags & (UringLayout.SETUP_COOP_TASKRUN | UringLayout.SETUP_SINGLE_ISSUER
        | UringLayout.SETUP_DEFER_TASKRUN | UringLayout.SETUP_R_DISABLED)).isZero();
  }
}
