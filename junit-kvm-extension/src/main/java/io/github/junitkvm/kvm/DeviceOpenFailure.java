package io.github.junitkvm.kvm;

import java.nio.file.Path;

/** Explains why the KVM device could not be opened, and what the user can do about it. */
final class DeviceOpenFailure {
    private static final String EMULATOR = "or run the tests on the emulator with -Djunitkvm.backend=emulator";

    private DeviceOpenFailure() {
    }

    /**
     * @param device the device file
     * @param errno why {@code open} failed
     * @return the message
     */
    static String explain(Path device, int errno) {
        String failure = "cannot open " + device + ": " + ErrnoException.describe(errno) + ". ";
        switch (errno) {
            case Posix.ENOENT:
            case Posix.ENODEV:
            case Posix.ENXIO:
                return failure + "The KVM kernel module is not loaded, or the CPU lacks (or the firmware"
                        + " disables) hardware virtualization: load it with `sudo modprobe kvm_intel` or"
                        + " `sudo modprobe kvm_amd` (in a virtual machine, enable nested virtualization), "
                        + EMULATOR;
            case Posix.EACCES:
            case Posix.EPERM:
                return failure + "Your user may not use KVM: add it to the kvm group with"
                        + " `sudo usermod -aG kvm $USER` and log in again, " + EMULATOR;
            case Posix.EMFILE:
            case Posix.ENFILE:
            case Posix.ENOMEM:
            case Posix.EAGAIN:
            case Posix.EINTR:
                return failure + "This process or the system is short of file descriptors or memory for the"
                        + " moment; close what the tests leave open, or run fewer of them at once";
            default:
                return failure + "Check the device, " + EMULATOR;
        }
    }
}
