package io.github.junitkvm.firmware;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;

/**
 * One call of a firmware service: the caller's registers, with the flags as the caller had them
 * (the image on the stack), which a service reads and changes; they reach the guest when the call
 * returns. Register accessors follow the real-mode names ({@code AH}, {@code ES:BX}).
 */
final class InterruptCall {
    /** Carry flag: the BIOS's error flag. */
    static final long CF = 1;
    /** Zero flag: {@code INT 16h AH=01h}'s "no key". */
    static final long ZF = 1 << 6;

    private final int vector;
    private SpecialRegisters segments;
    private boolean segmentsChanged;
    private final GuestMemory memory;
    private GeneralRegisters registers;

    InterruptCall(int vector, GeneralRegisters registers, SpecialRegisters segments, GuestMemory memory) {
        this.vector = vector;
        this.registers = registers;
        this.segments = segments;
        this.memory = memory;
    }

    int vector() {
        return vector;
    }

    GeneralRegisters registers() {
        return registers;
    }

    void setRegisters(GeneralRegisters changed) {
        registers = changed;
    }

    SpecialRegisters segments() {
        return segments;
    }

    /** @return whether a service changed a segment register, which the call then hands to the guest */
    boolean segmentsChanged() {
        return segmentsChanged;
    }

    /** @param selector the real-mode segment the caller finds in ES */
    void setEs(int selector) {
        Segment es = segments.es();
        segments = segments.withEs(es.withSelector(selector).withBase((long) selector << 4));
        segmentsChanged = true;
    }

    GuestMemory memory() {
        return memory;
    }

    int ah() {
        return (int) (registers.rax() >>> 8) & 0xff;
    }

    int al() {
        return (int) registers.rax() & 0xff;
    }

    int ax() {
        return (int) registers.rax() & 0xffff;
    }

    long eax() {
        return registers.rax() & 0xffff_ffffL;
    }

    int bx() {
        return (int) registers.rbx() & 0xffff;
    }

    long ebx() {
        return registers.rbx() & 0xffff_ffffL;
    }

    int cx() {
        return (int) registers.rcx() & 0xffff;
    }

    long ecx() {
        return registers.rcx() & 0xffff_ffffL;
    }

    int dx() {
        return (int) registers.rdx() & 0xffff;
    }

    long edx() {
        return registers.rdx() & 0xffff_ffffL;
    }

    int ch() {
        return cx() >>> 8;
    }

    int cl() {
        return cx() & 0xff;
    }

    int dh() {
        return dx() >>> 8;
    }

    int dl() {
        return dx() & 0xff;
    }

    int bh() {
        return bx() >>> 8;
    }

    /** @return the linear address of {@code ES:offset} */
    long es(int offset) {
        return segments.es().base() + (offset & 0xffff);
    }

    /** @return the linear address of {@code DS:offset} */
    long ds(int offset) {
        return segments.ds().base() + (offset & 0xffff);
    }

    /** @return the linear address of {@code ES:DI} */
    long esDi() {
        return es((int) registers.rdi());
    }

    /** @return the linear address of {@code ES:BX} */
    long esBx() {
        return es(bx());
    }

    /** @return the linear address of {@code DS:SI} */
    long dsSi() {
        return ds((int) registers.rsi());
    }

    void setAx(int value) {
        registers = registers.withRax(registers.rax() & ~0xffffL | value & 0xffff);
    }

    void setAh(int value) {
        setAx(ax() & 0xff | (value & 0xff) << 8);
    }

    void setAl(int value) {
        setAx(ax() & 0xff00 | value & 0xff);
    }

    void setEax(long value) {
        registers = registers.withRax(registers.rax() & ~0xffff_ffffL | value & 0xffff_ffffL);
    }

    void setBx(int value) {
        registers = registers.withRbx(registers.rbx() & ~0xffffL | value & 0xffff);
    }

    void setEbx(long value) {
        registers = registers.withRbx(registers.rbx() & ~0xffff_ffffL | value & 0xffff_ffffL);
    }

    void setCx(int value) {
        registers = registers.withRcx(registers.rcx() & ~0xffffL | value & 0xffff);
    }

    void setEcx(long value) {
        registers = registers.withRcx(registers.rcx() & ~0xffff_ffffL | value & 0xffff_ffffL);
    }

    void setDx(int value) {
        registers = registers.withRdx(registers.rdx() & ~0xffffL | value & 0xffff);
    }

    void setDi(int value) {
        registers = registers.withRdi(registers.rdi() & ~0xffffL | value & 0xffff);
    }

    /** @param set whether to set the caller's carry flag, the BIOS's "failed" */
    void setCarry(boolean set) {
        setFlag(CF, set);
    }

    /** @param set whether to set the caller's zero flag */
    void setZero(boolean set) {
        setFlag(ZF, set);
    }

    private void setFlag(long flag, boolean set) {
        long flags = registers.rflags();
        registers = registers.withRflags(set ? flags | flag : flags & ~flag);
    }

    /** Ends a BIOS call that succeeded: {@code AH} 0 and carry clear. */
    Outcome succeeded() {
        setAh(0);
        setCarry(false);
        return Outcome.RETURNED;
    }

    /**
     * Ends a BIOS call that failed: carry set and the status in {@code AH}.
     *
     * @param status the BIOS status code
     */
    Outcome failed(int status) {
        setAh(status);
        setCarry(true);
        return Outcome.RETURNED;
    }

    /** @return the call as failure messages name it, {@code int 0x13 AH=0x42} */
    String describe() {
        return String.format("int 0x%02x AH=0x%02x", vector, ah());
    }

    /**
     * @param what the service's name, for the stop reason
     * @return a pending call: the firmware does not serve this function
     */
    Outcome unserved(String what) {
        return Outcome.pending(String.format("%s (AX=0x%04x) is not served by the %s", describe(), ax(), what));
    }
}
