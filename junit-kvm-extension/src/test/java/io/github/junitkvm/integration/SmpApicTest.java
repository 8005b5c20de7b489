package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Device;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * One local APIC per vCPU ({@code Device.LOCAL_APIC} with {@code vcpus > 1}) on whichever backend
 * runs the suite: each vCPU's APIC ID, in the APIC's ID register and in CPUID's initial APIC ID, is
 * its index; a write of the ICR sends a fixed interrupt or an NMI to the vCPU it names, which takes
 * it on its own interrupt line; INIT and a start-up IPI start an AP that waits, in real mode at the
 * page the vector names, as on a PC.
 */
class SmpApicTest {
    /** {@code gate}: writes an interrupt gate to EAX (ring 0, 32-bit, this code segment) at EDI. */
    private static final String GATE = """
            gate:   mov     %eax, (%edi)            # the offset's low half,
                    mov     %cs, 2(%edi)            # this code segment,
                    mov     %eax, 4(%edi)           # the offset's high half,
                    movw    $0x8e00, 4(%edi)        # present, ring 0, 32-bit interrupt gate
                    ret
            """;

    /** The IDT at 0x400, up to vector 0x40. */
    private static final String IDT = """
                    .org    0x400
            idt:    .fill   0x41, 8, 0
            """;

    /** Every vCPU: RSI = CPUID leaf 1's initial APIC ID, RBX = its APIC's ID register, then halt. */
    private static final String IDS = """
                    .set    APIC, 0xfee00000
                    mov     $1, %eax
                    xor     %ecx, %ecx
                    cpuid
                    shr     $24, %ebx
                    mov     %ebx, %esi
                    mov     APIC+0x20, %ebx
                    shr     $24, %ebx
                    hlt
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 3, apEntry = 0x1000, devices = Device.LOCAL_APIC, asm = IDS)
    void eachVcpusApicIdIsItsIndexInTheApicAndInCpuid(GuestRun run) {
        assertThat(run).haltedNormally();
        for (int vcpu = 0; vcpu < 3; vcpu++) {
            assertThat(run.vcpu(vcpu).registers().rbx()).as("vCPU %d's APIC ID register", vcpu).isEqualTo(vcpu);
            assertThat(run.vcpu(vcpu).registers().rsi()).as("vCPU %d's CPUID initial APIC ID", vcpu).isEqualTo(vcpu);
        }
    }

    /**
     * The AP builds an IDT (NMI and vector 0x40), enables its APIC, says it is ready and waits with
     * IF set; the BSP then sends it a fixed IPI for 0x40 and an NMI through its ICR, and waits until
     * both were taken. The AP's handlers note what they took (0x40 in RBX, 2 in RCX at its halt).
     */
    private static final String IPIS = """
                    .set    APIC, 0xfee00000
            bsp:    pause
                    cmpl    $1, ready
                    jne     bsp
                    movl    $0x01000000, APIC+0x310 # destination: APIC 1
                    movl    $0x00000040, APIC+0x300 # fixed, vector 0x40
                    movl    $0x00000400, APIC+0x300 # NMI
            1:      pause
                    cmpl    $2, taken
                    jne     1b
                    hlt
                    .org    0x100
            ready:  .long   0
            taken:  .long   0
            fixed:  .long   0
            nmi:    .long   0
            idtr:   .word   0x41 * 8 - 1
                    .long   idt
                    .org    0x200
            ap:     mov     $0x3000, %esp
                    mov     $nmi_isr, %eax
                    mov     $idt + 2 * 8, %edi
                    call    gate
                    mov     $fixed_isr, %eax
                    mov     $idt + 0x40 * 8, %edi
                    call    gate
                    lidt    idtr
                    movl    $0x1ff, APIC+0xf0       # software-enable the AP's APIC
                    movl    $1, ready
                    sti
            2:      cmpl    $2, taken
                    jne     2b
                    cli
                    mov     fixed, %ebx
                    mov     nmi, %ecx
                    hlt
            """ + GATE + """
            fixed_isr:
                    movl    $0x40, fixed
                    lock incl taken
                    movl    $0, APIC+0xb0           # EOI, to the AP's own APIC
                    iret
            nmi_isr:
                    movl    $2, nmi
                    lock incl taken
                    iret
            """ + IDT;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 2, apEntry = 0x1200, devices = Device.LOCAL_APIC, asm = IPIS)
    void aFixedIpiAndAnNmiReachTheApTheIcrNames(GuestRun run) {
        assertThat(run).haltedNormally();
        GuestVcpu ap = run.vcpu(1);
        assertThat(ap.registers().rbx()).as("the fixed IPI's handler ran").isEqualTo(0x40);
        assertThat(ap.registers().rcx()).as("the NMI's handler ran").isEqualTo(2);
        assertThat(ap.exits()).as("the AP took the fixed IPI on its own line").contains(VmExit.externalInterrupt(0x40));
        assertThat(run.vcpu(0).exits()).noneMatch(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT);
    }

    /**
     * The AP waits for IPIs halted, as an idle kernel does: {@code sti; hlt} until a fixed IPI for
     * 0x40 came, then {@code hlt} with IF clear until an NMI came. The BSP sends both once the AP
     * has had time to halt, waiting for each to be taken, and halts.
     */
    private static final String HALTED_AP = """
                    .set    APIC, 0xfee00000
            bsp:    pause
                    cmpl    $1, ready
                    jne     bsp
                    mov     $100000, %ecx           # time for the AP to halt
            1:      pause
                    loop    1b
                    movl    $0x01000000, APIC+0x310 # destination: APIC 1
                    movl    $0x00000040, APIC+0x300 # fixed, vector 0x40
            2:      pause
                    cmpl    $1, taken
                    jne     2b
                    movl    $0x01000000, APIC+0x310
                    movl    $0x00000400, APIC+0x300 # NMI
            3:      pause
                    cmpl    $2, taken
                    jne     3b
                    hlt
                    .org    0x100
            ready:  .long   0
            taken:  .long   0
            idtr:   .word   0x41 * 8 - 1
                    .long   idt
                    .org    0x200
            ap:     mov     $0x3000, %esp
                    mov     $isr, %eax
                    mov     $idt + 2 * 8, %edi
                    call    gate
                    mov     $idt + 0x40 * 8, %edi
                    call    gate
                    lidt    idtr
                    movl    $0x1ff, APIC+0xf0       # software-enable the AP's APIC
                    movl    $1, ready
            4:      sti
                    hlt                             # woken by the fixed IPI
                    cmpl    $1, taken
                    jne     4b
                    cli
            5:      hlt                             # IF clear: woken by the NMI only
                    cmpl    $2, taken
                    jne     5b
                    mov     taken, %ebx
                    hlt
            """ + GATE + """
            isr:    lock incl taken
                    movl    $0, APIC+0xb0           # EOI (after the NMI too: nothing in service then)
                    iret
            """ + IDT;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 2, apEntry = 0x1200, devices = Device.LOCAL_APIC, asm = HALTED_AP)
    void aHaltedApWakesForAnIpiWithInterruptsEnabledAndForAnNmiWithout(GuestRun run) {
        assertThat(run).haltedNormally();
        GuestVcpu ap = run.vcpu(1);
        assertThat(ap.registers().rbx()).as("the IPIs the AP took").isEqualTo(2);
        assertThat(ap.exits()).contains(VmExit.externalInterrupt(0x40));
        assertThat(ap.stop().reason()).isEqualTo(ExitReason.HLT);
    }

    /**
     * The AP starts its APIC timer (one-shot, vector 0x40) and waits in {@code sti; hlt}; the BSP
     * halts with IF clear. With every vCPU halted, the virtual clock moves on to the AP's timer,
     * which wakes it.
     */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 2, apEntry = 0x1100, devices = Device.LOCAL_APIC, asm = """
                    .set    APIC, 0xfee00000
                    cli
                    hlt
                    .org    0x40
            idtr:   .word   0x41 * 8 - 1
                    .long   idt
                    .org    0x100
            ap:     mov     $0x3000, %esp
                    mov     $isr, %eax
                    mov     %eax, idt + 0x40 * 8
                    mov     %cs, idt + 0x40 * 8 + 2
                    mov     %eax, idt + 0x40 * 8 + 4
                    movw    $0x8e00, idt + 0x40 * 8 + 4
                    lidt    idtr
                    movl    $0x1ff, APIC+0xf0       # software-enable the AP's APIC
                    movl    $0x40, APIC+0x320       # timer: one-shot, vector 0x40
                    movl    $1000000, APIC+0x380    # initial count
                    sti
                    hlt
                    mov     $0x7e, %ebx
                    hlt
            isr:    movl    $0, APIC+0xb0
                    iret
                    .org    0x400
            idt:    .fill   0x41, 8, 0
            """)
    void theClockMovesOnForAHaltedApsTimerOnceEveryVcpuHalted(GuestRun run) {
        assertThat(run).haltedNormally();
        GuestVcpu ap = run.vcpu(1);
        assertThat(ap.exits()).contains(VmExit.externalInterrupt(0x40));
        assertThat(ap.registers().rbx()).as("the AP went on after its timer's interrupt").isEqualTo(0x7e);
    }

    /**
     * The BSP sends INIT and a start-up IPI for page 2 to APIC 1 and halts; the AP, waiting for its
     * start-up, runs in real mode from 0x2000 ({@code CS = 0x200}, {@code IP = 0}).
     */
    private static final String START_UP = """
                    .set    APIC, 0xfee00000
                    movl    $0x01000000, APIC+0x310
                    movl    $0x0000c500, APIC+0x300 # INIT, level assert
                    movl    $0x00008500, APIC+0x300 # INIT, level de-assert
                    movl    $0x00000602, APIC+0x300 # start-up, vector 2: 0x2000
                    movl    $0x00000602, APIC+0x300 # the second start-up finds it running: ignored
                    mov     APIC+0x300, %ebx        # the delivery status reads idle
                    hlt
                    .org    0x1000
                    .code16
                    mov     %cs, %ax
                    mov     $0x77, %bx
                    hlt
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 2, devices = Device.LOCAL_APIC, asm = START_UP)
    void initAndAStartUpIpiStartTheWaitingApInRealModeAtItsVector(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.vcpu(0).registers().rbx() & 0x1000).as("delivery status").isZero();
        GuestVcpu ap = run.vcpu(1);
        assertThat(ap.stop().reason()).isEqualTo(ExitReason.HLT);
        assertThat(ap.registers().rax() & 0xffff).as("CS").isEqualTo(0x200);
        assertThat(ap.registers().rbx() & 0xffff).isEqualTo(0x77);
        assertThat(ap.registers().rip()).as("after the HLT at 0x2005").isEqualTo(6);
        assertThat(ap.specialRegisters().cs().base()).isEqualTo(0x2000);
    }

    /** The BSP sends INIT to the AP, which runs from its entry: resetting a running vCPU is not modelled. */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 2, apEntry = 0x1100, devices = Device.LOCAL_APIC, asm = """
                    .set    APIC, 0xfee00000
                    movl    $0x01000000, APIC+0x310
                    movl    $0x0000c500, APIC+0x300 # INIT, level assert
                    hlt
                    .org    0x100
            1:      pause
                    jmp     1b
            """)
    void anInitToARunningVcpuFailsTheRunSayingSo(KvmVm vm) {
        assertThatThrownBy(vm::run).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("an INIT IPI reached vCPU 1, which has started")
                .hasMessageContaining("not modelled");
    }
}
