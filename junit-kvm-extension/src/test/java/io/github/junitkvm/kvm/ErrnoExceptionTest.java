package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** How a failed system call reads. */
class ErrnoExceptionTest {
    @Test
    void saysWhichCallFailedAndTheSystemsReason() {
        ErrnoException failure = new ErrnoException(KvmIoctl.KVM_CREATE_VM.name(), 12);

        assertThat(failure).hasMessage("KVM_CREATE_VM failed: Cannot allocate memory (errno 12)");
        assertThat(failure.errno()).isEqualTo(12);
    }

    @Test
    void describesAnErrnoByTextAndNumber() {
        assertThat(ErrnoException.describe(Posix.EINTR)).isEqualTo("Interrupted system call (errno 4)");
        assertThat(ErrnoException.describe(Posix.ENOTTY)).isEqualTo("Inappropriate ioctl for device (errno 25)");
    }

    @Test
    void aShortageOfDescriptorsOrMemoryMayPassAndAMissingOrRefusedDeviceDoesNot() {
        assertThat(new ErrnoException("open", Posix.EMFILE).isTransient()).isTrue();
        assertThat(new ErrnoException("open", Posix.ENFILE).isTransient()).isTrue();
        assertThat(new ErrnoException("open", Posix.ENOMEM).isTransient()).isTrue();
        assertThat(new ErrnoException("open", Posix.EAGAIN).isTransient()).isTrue();
        assertThat(new ErrnoException("open", Posix.EINTR).isTransient()).isTrue();
        assertThat(new ErrnoException("open", Posix.ENOENT).isTransient()).isFalse();
        assertThat(new ErrnoException("open", Posix.EACCES).isTransient()).isFalse();
        assertThat(new ErrnoException("open", Posix.ENODEV).isTransient()).isFalse();
        assertThat(new ErrnoException("ioctl", Posix.ENOTTY).isTransient()).isFalse();
    }

    @Test
    void takesTheErrnoOfTheFailedCallOnThisThread() {
        int fd = -1;

        ErrnoException failure = catchThrowableOfType(ErrnoException.class, () -> Posix.close(fd));

        assertThat(failure).hasMessage("close(-1) failed: Bad file descriptor (errno 9)");
    }
}
