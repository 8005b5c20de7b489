package io.github.junitkvm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** The record of one run of a {@link KvmVm}: every exit, the output, and the state at the stop. */
public interface GuestRun {
    /**
     * @return every exit, in order, of every vCPU (see {@link #vcpu(int)} for one vCPU's); the last
     *     is the one that stopped the run
     */
    List<VmExit> exits();

    /** @return the exit that stopped the run */
    VmExit lastExit();

    /** @return the bytes written to COM1's data register (port {@code 0x3f8}), as ISO-8859-1 text */
    String serialOutput();

    /**
     * @return what the guest printed in this run through the BIOS's video services
     *     ({@code INT 10h}: teletype output, write character, write string), as ISO-8859-1 text
     *     with the guest's own control characters ({@code "\r\n"}); at most
     *     {@link KvmGuest#maxRecordedOutput()} characters. Empty without {@link Firmware#BIOS}
     */
    String screenOutput();

    /**
     * @param port an I/O port
     * @return every byte written to that port, in order (wider writes contribute their bytes,
     *     little-endian)
     * @throws IllegalArgumentException if the port is not 0 to 0xffff
     */
    byte[] portOutput(int port);

    /**
     * @return how many exits the run made beyond {@link KvmGuest#maxRecordedExits()}, which are
     *     missing from {@link #exits()} (the exit that stopped the run is always its last); 0 when
     *     every exit was kept
     */
    long droppedExits();

    /**
     * @param port an I/O port
     * @return how many bytes written to that port are missing from {@link #portOutput(int)} (and,
     *     for COM1, from {@link #serialOutput()}): those written once the run had kept
     *     {@link KvmGuest#maxRecordedOutput()} bytes of the output of all ports together; 0 when all
     *     were kept
     * @throws IllegalArgumentException if the port is not 0 to 0xffff
     */
    long droppedOutputBytes(int port);

    /**
     * @return the general registers at the stop (of vCPU 0, the bootstrap processor, in a guest of
     *     several vCPUs)
     * @throws IllegalStateException if they could not be read (the emulator process died)
     */
    GeneralRegisters registers();

    /**
     * @return the system registers at the stop (of vCPU 0 in a guest of several vCPUs)
     * @throws IllegalStateException if they could not be read (the emulator process died)
     */
    SpecialRegisters specialRegisters();

    /**
     * @return guest memory as at the stop; readable until the VM runs again or is closed, after
     *     which it throws {@link IllegalStateException}
     */
    GuestMemory memory();

    /** @return the value written to the debug-exit port, if the run ended that way */
    OptionalInt exitCode();

    /**
     * The exit status QEMU's {@code isa-debug-exit} device makes of the value {@code v} written to
     * the debug-exit port, {@code (v << 1) | 1}: what a test kernel written for QEMU (such as
     * kvm-unit-tests, where 1 is a pass) means by it. The status is always odd, so that it differs
     * from QEMU's own exit status 0; a shell sees its low 8 bits.
     *
     * @return the decoded status, if the run ended at the debug-exit port
     */
    default OptionalInt exitStatus() {
        OptionalInt code = exitCode();
        return code.isPresent() ? OptionalInt.of((code.getAsInt() << 1) | 1) : OptionalInt.empty();
    }

    /** @return the wall time of the run */
    Duration duration();

    /** @return the backend the run happened on */
    Backend backend();

    /** @return the CPU mode the guest was started in */
    CpuMode mode();

    /**
     * @return the lines the guest logged in this run with the {@link GuestLibrary}'s
     *     {@code KVM_LOG}, in order, formatted; one trailing newline of each is dropped. At most
     *     {@link KvmGuest#maxRecordedExits()} lines of at most {@link KvmGuest#maxRecordedOutput()}
     *     characters in all: the lines from the first one past either limit on are only counted
     *     ({@link #droppedGuestLogLines()})
     */
    List<String> guestLog();

    /**
     * @return how many lines the guest logged past the limits of {@link #guestLog()}, which are
     *     missing from it; 0 when every line was kept
     */
    long droppedGuestLogLines();

    /** @return whether the guest reported {@code KVM_DONE}, which ended this run */
    boolean guestReportedDone();

    /**
     * @return the guest assertion whose failure ended this run, if one did; such a run fails the
     *     test (see {@link KvmExtension})
     */
    Optional<GuestAssertion> guestAssertionFailure();

    /**
     * @return the instructions the run executed, the last {@code n} of them, with
     *     {@code @KvmGuest(trace = n)}; empty when the guest was not traced ({@code trace = 0})
     */
    Optional<InstructionTrace> trace();

    /** @return how many vCPUs the guest has, {@link KvmGuest#vcpus()} */
    int vcpuCount();

    /**
     * @param index a vCPU's index, 0 (the bootstrap processor) to {@link #vcpuCount()} - 1
     * @return what that vCPU did in this run; for a guest of one vCPU, its exits are
     *     {@link #exits()} and its registers {@link #registers()}
     * @throws IllegalArgumentException if the guest has no such vCPU
     */
    GuestVcpu vcpu(int index);
}
