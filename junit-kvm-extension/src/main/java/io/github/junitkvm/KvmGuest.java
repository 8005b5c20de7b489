package io.github.junitkvm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Describes the virtual machine a test gets: RAM, CPU mode, guest code and initial registers.
 *
 * <p>On a test method, on a test class (the default for its methods; a method's own annotation
 * replaces the class's, whole), or on another annotation. A test method then declares a
 * {@link KvmVm} parameter to get the fresh VM, not yet run, or a {@link GuestRun} parameter to get
 * the result of running it once: the run is made just before the method's body, within JUnit's
 * timeout of the method ({@code @Timeout}, or the {@code junit.jupiter.execution.timeout.*}
 * defaults). A {@code GuestRun} parameter needs code ({@link #code()}, {@link #resource()} or
 * {@link #asm()}), unless a {@code @BeforeEach} method that got the {@code KvmVm} wrote it. A value
 * that cannot be honoured fails the test with a message naming the attribute and the value.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(KvmExtension.class)
public @interface KvmGuest {
    /** @return guest physical RAM regions; none means one 2 MiB region at address 0 */
    Memory[] memory() default {};

    /** @return the CPU mode the vCPU starts in */
    CpuMode mode() default CpuMode.REAL;

    /**
     * @return the guest's firmware: none, interrupt entry points the test serves
     *     ({@link KvmVm#onInterrupt(int, InterruptHandler)}) in any mode, or a PC BIOS
     *     ({@link KvmVm#bios()}) in {@code REAL} mode. With firmware, {@link #memory()} must leave the
     *     firmware ROM at {@code [0xf0000, 0x100000)} free and, in {@code REAL} mode, hold the
     *     interrupt vector table and BIOS data area at {@code [0, 0x500)}; its default is 640 KiB at
     *     0 and 1 MiB at 1 MiB
     */
    Firmware firmware() default Firmware.NONE;

    /**
     * @return at most one {@link Multiboot}: boot {@link #resource()} as a Multiboot kernel, with
     *     this command line and these modules. The vCPU then starts as a Multiboot loader leaves it,
     *     in 32-bit protected mode, so {@link #mode()} must be {@code PROTECTED} or left at its
     *     default; {@link #loadAddress()} and {@link #firmware()} play no part and must be left at
     *     their defaults
     */
    Multiboot[] multiboot() default {};

    /**
     * @return the PC devices modelled for the guest besides COM1 and the debug-exit port: fw_cfg,
     *     the interrupt controllers and timers ({@link Device}), counting on the virtual clock
     *     {@link KvmVm#clock()}; none by default. {@link Device#PIT} needs {@link Device#PIC};
     *     {@link Device#LOCAL_APIC} needs {@link #memory()} to leave its page at {@code 0xfee00000}
     *     free
     */
    Device[] devices() default {};

    /** @return the files of the fw_cfg directory; they need {@link Device#FW_CFG} in {@link #devices()} */
    FwCfgFile[] fwCfgFiles() default {};

    /** @return machine code as hex byte pairs (ASCII {@code 0-9a-fA-F}), ASCII whitespace between bytes allowed */
    String code() default "";

    /**
     * @return a classpath resource holding a flat binary that fits at {@link #loadAddress()}, or an
     *     ELF image (recognised by its magic) whose code runs in the {@link #mode()}: i386 code in
     *     {@code REAL}, {@code PROTECTED} or {@code PAGED}, x86-64 code in {@code LONG}
     */
    String resource() default "";

    /**
     * @return assembly source in GNU as syntax, assembled for the mode at {@link #loadAddress()}, into
     *     no more code than the RAM from there to the end of its region holds
     */
    String asm() default "";

    /** @return the guest physical address where the code is placed; the default entry point */
    long loadAddress() default 0x1000;

    /** @return the initial general registers */
    Registers registers() default @Registers;

    /**
     * @return the wall-clock limit of one run, in milliseconds; past it the run stops with TIMEOUT
     *     ({@link Long#MAX_VALUE}, or anything beyond about 292 years, is no limit)
     */
    long timeoutMillis() default 10_000;

    /**
     * @return how many exits a run keeps in {@link GuestRun#exits()}, besides the one that stopped
     *     it, and how many lines in {@link GuestRun#guestLog()}; later ones are only counted
     *     ({@link GuestRun#droppedExits()}, {@link GuestRun#droppedGuestLogLines()}), so that a
     *     guest looping on I/O until its time limit cannot exhaust the JVM's memory
     */
    int maxRecordedExits() default 100_000;

    /**
     * @return how many bytes a run keeps of the output to ports, all ports together (the serial
     *     output is part of COM1's), and how many characters of the guest log; later ones are only
     *     counted
     *     ({@link GuestRun#droppedOutputBytes(int)}, {@link GuestRun#droppedGuestLogLines()})
     */
    int maxRecordedOutput() default 1 << 20;

    /**
     * Records the instructions each run executes: {@link GuestRun#trace()} then holds the addresses
     * of the last {@code trace} of them, and a failed assertion on the run lists them,
     * disassembled. KVM single-steps the guest for it (much slower; the time limit still applies;
     * a {@code PUSHF} shows the trap flag), the emulator hooks every instruction.
     *
     * @return how many of the most recent instructions to keep, 0 (no trace) to 100 000
     */
    int trace() default 0;

    /**
     * How many vCPUs the guest has. vCPU 0, the bootstrap processor (BSP), starts as the only vCPU
     * of a guest does; the others, the application processors (APs), start at {@link #apEntry()}
     * in the same run, or, without one, wait for {@link KvmVm#startVcpu}. See the guide's "More than
     * one vCPU" ({@code docs/interrupts-and-vcpus.md}) for how they run on each backend, and
     * {@link GuestRun#vcpu(int)} for what each did.
     *
     * @return the vCPU count, 1 to 16; more than 1 needs no {@link #trace()}
     */
    int vcpus() default 1;

    /**
     * Where the application processors start, with {@code vcpus > 1}: the guest address each AP
     * begins at, in the CPU mode and with the system registers the BSP starts with (the same
     * descriptor tables and page tables), its general registers as {@link #registers()} gives them
     * but for RIP (this address), RDI (the AP's index, 1 to {@code vcpus - 1}) and RSP (0: an AP
     * sets up a stack of its own, for example from its index, before it uses one).
     *
     * @return the APs' entry address; -1 (the default) for none: the APs then wait, as on a PC,
     *     until {@link KvmVm#startVcpu} starts them, or, with {@link Device#LOCAL_APIC}, the guest
     *     sends them INIT and a start-up IPI through its local APIC
     */
    long apEntry() default -1;

    /**
     * @return CPUID leaves the vCPU reports instead of the backend's, each replacing its leaf (or
     *     subleaf) whole. Without them the vCPU reports the backend's CPUID (the host's as KVM
     *     supports it, or Unicorn's CPU model) less what the machine does not model: never an
     *     x2APIC, and no local APIC or TSC-deadline timer, nor KVM's paravirtual leaves
     *     ({@code 0x40000000} up)
     */
    Cpuid[] cpuid() default {};
}
