package io.github.junitkvm;

import java.util.List;

/**
 * What one vCPU of a guest of several ({@link KvmGuest#vcpus()}) did in a run, from
 * {@link GuestRun#vcpu(int)}: its exits, why it stopped, and its registers at the stop.
 */
public interface GuestVcpu {
    /** @return the vCPU's index: 0 for the bootstrap processor, 1 on for the application processors */
    int index();

    /**
     * @return why the vCPU stopped: {@link ExitReason#HLT} when it halted; the run's
     *     {@link GuestRun#lastExit()} when its stop ended the run, or when the run was stopped from
     *     outside (a time limit, {@link KvmVm#stopRun}); else {@link ExitReason#STOPPED}, with a
     *     detail naming the vCPU whose stop ended the run while this one still ran
     */
    VmExit stop();

    /**
     * @return the exits this vCPU made, in order, as far as {@link GuestRun#exits()} kept them; the
     *     last is {@link #stop()}
     */
    List<VmExit> exits();

    /**
     * @return its general registers at the stop
     * @throws IllegalStateException if they could not be read (the emulator process died)
     */
    GeneralRegisters registers();

    /**
     * @return its system registers at the stop
     * @throws IllegalStateException if they could not be read (the emulator process died)
     */
    SpecialRegisters specialRegisters();
}
