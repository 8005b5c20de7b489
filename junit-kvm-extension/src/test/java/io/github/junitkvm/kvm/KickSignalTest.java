package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/**
 * The kick signal is safe in this JVM: HotSpot has a handler for it, so sending it to a thread
 * neither kills the JVM (default action) nor is discarded (ignored) without interrupting a call.
 */
class KickSignalTest {
    @Test
    void hotSpotHandlesSigpipe() {
        assertThat(Posix.signalHandler(KickSignal.SIGNAL)).isNotIn(Posix.SIG_DFL, Posix.SIG_IGN);
        assertThatCode(KickSignal::verifyHandled).doesNotThrowAnyException();
    }

    @Test
    void aKickToAThreadOutsideKvmRunIsHarmless() {
        KickSignal.send((int) ProcessHandle.current().pid(), Posix.gettid());

        assertThat(Thread.currentThread().isAlive()).isTrue();
    }
}
