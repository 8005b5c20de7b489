package io.github.junitkvm;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Initial general registers of a guest, inside {@link KvmGuest#registers()}. Every register not
 * named is zero; {@code rsp = -1} and {@code rip = -1} mean the mode's default stack and the entry
 * point, and {@code rflags} keeps its reserved bit 1 set.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Registers {
    /** @return the initial RAX */
    long rax() default 0;

    /** @return the initial RBX */
    long rbx() default 0;

    /** @return the initial RCX */
    long rcx() default 0;

    /** @return the initial RDX */
    long rdx() default 0;

    /** @return the initial RSI */
    long rsi() default 0;

    /** @return the initial RDI */
    long rdi() default 0;

    /** @return the initial RBP */
    long rbp() default 0;

    /** @return the initial R8 */
    long r8() default 0;

    /** @return the initial R9 */
    long r9() default 0;

    /** @return the initial R10 */
    long r10() default 0;

    /** @return the initial R11 */
    long r11() default 0;

    /** @return the initial R12 */
    long r12() default 0;

    /** @return the initial R13 */
    long r13() default 0;

    /** @return the initial R14 */
    long r14() default 0;

    /** @return the initial R15 */
    long r15() default 0;

    /**
     * @return the initial RSP; -1 means the mode's default stack: the end of the RAM region holding
     *     the entry point, at most {@code 0xfff0} in {@code REAL} mode and 4 GiB in the 32-bit modes,
     *     or the address of the GDT and page tables if the extension put them in that region;
     *     16-byte aligned outside {@code REAL} mode. Another value must be one the mode uses whole (below
     *     {@code 0x10000} in {@code REAL} mode, whose stack is {@code SS:SP} with {@code SS = 0}; below
     *     4 GiB in the 32-bit modes), with the byte just below it, where the first push goes, in RAM
     *     (so the end of a region is a stack's top; {@code SP = 0} in {@code REAL} mode pushes at
     *     {@code 0xfffe})
     */
    long rsp() default -1;

    /** @return the initial RIP; -1 means the entry point ({@code loadAddress}, or the ELF entry) */
    long rip() default -1;

    /**
     * @return the initial RFLAGS: no reserved bit (3, 5, 15, 22 to 63) set, nor the VM flag (bit 17),
     *     since no guest starts in virtual-8086 mode
     */
    long rflags() default 0x2;
}
