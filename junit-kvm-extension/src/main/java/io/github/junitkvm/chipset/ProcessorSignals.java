package io.github.junitkvm.chipset;

/**
 * What an interrupt message does to a processor itself rather than to its local APIC: the
 * non-maskable interrupt, INIT and the start-up IPI, which the machine serves on the vCPU the
 * message reached. The vCPU is named by its index, whose local APIC sent or took the message.
 */
public interface ProcessorSignals {
    /**
     * An NMI for the vCPU (delivery mode 100).
     *
     * @param vcpu the vCPU's index
     */
    void nmi(int vcpu);

    /**
     * An INIT (delivery mode 101, level assert): the vCPU goes to wait for a start-up IPI.
     *
     * @param vcpu the vCPU's index
     */
    void init(int vcpu);

    /**
     * A start-up IPI (delivery mode 110): a vCPU that waits for one starts in real mode at
     * {@code vector << 12} ({@code CS = vector << 8}, {@code IP = 0}); others ignore it, as on a PC.
     *
     * @param vcpu the vCPU's index
     * @param vector the message's vector
     */
    void startUp(int vcpu, int vector);
}
