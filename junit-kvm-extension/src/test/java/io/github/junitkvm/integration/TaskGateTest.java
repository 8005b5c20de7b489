package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * A task gate in the IDT: the CPU saves the interrupted task in its TSS, switches to the gate's
 * task (its registers, segments and flags from the new TSS, with the back link and NT set, TR on
 * the new TSS, both marked busy), and the handler's {@code IRET} switches back; 32-bit and 16-bit
 * (80286) TSSs, each in its own layout.
 */
class TaskGateTest {
    private static final long NT = 1 << 14;
    private static final long BUSY = 1L << 41;

    /**
     * Sets up flat code 0x08 and data 0x10, the running task's TSS 0x18 at {@code tss0}, the
     * gate's TSS 0x20 at {@code tss1} (their descriptors from the test, after {@link #GDT}) and a
     * task gate for vector 0x40; the stack at 0x8000.
     */
    private static final String TWO_TASKS = """
                    mov     $0x8000, %esp
                    mov     $tss0, %eax
                    mov     %ax, gdt+0x18+2
                    shr     $16, %eax
                    mov     %al, gdt+0x18+4
                    mov     $tss1, %eax
                    mov     %ax, gdt+0x20+2
                    shr     $16, %eax
                    mov     %al, gdt+0x20+4
                    lgdt    gdtr
                    mov     $0x18, %ax
                    ltr     %ax
                    movw    $0x20, idt+0x40*8+2     # the gate's TSS selector
                    movw    $0x8500, idt+0x40*8+4   # present task gate
                    lidt    idtr
            """;

    /** {@link #TWO_TASKS} with {@code EBX} 0x1111, an {@code INT 0x40} and a 'B' when it comes back. */
    private static final String INTERRUPTED_TASK = TWO_TASKS + """
                    mov     $0x1111, %ebx
                    int     $0x40
                    mov     $0x3f8, %dx
                    mov     $'B', %al
                    out     %al, %dx
                    hlt
            """;

    /** The gate's task: a 'T', then {@code IRET}. */
    private static final String RETURNING_TASK = """
            task:   mov     $0x3f8, %dx
                    mov     $'T', %al
                    out     %al, %dx
                    iret
            """;

    /** The GDT's null, code and data descriptors; the two TSSs' follow, then one more. */
    private static final String GDT = """
                    .balign 8
            gdt:    .quad   0
                    .quad   0x00cf9b000000ffff      # 0x08: code
                    .quad   0x00cf93000000ffff      # 0x10: data
            """;
    private static final String TSS_32 = "        .quad   0x0000890000000067      # a 32-bit TSS\n";
    private static final String TSS_16 = "        .quad   0x000081000000002b      # a 16-bit TSS\n";
    private static final String NONE = "        .quad   0\n";

    /** A 32-bit {@code tss1} up to its segment selectors: EIP at {@code task}, ESP 0x6000. */
    private static final String TASK_32_REGISTERS = """
            tss1:   .long   0                       # the back link, set by the switch
                    .fill   7, 4, 0                 # ESP0 to CR3
                    .long   task                    # EIP
                    .long   2                       # EFLAGS
                    .fill   4, 4, 0                 # EAX, ECX, EDX, EBX
                    .long   0x6000                  # ESP
                    .fill   3, 4, 0                 # EBP, ESI, EDI
            """;

    /** A 32-bit {@code tss1}: EIP at {@code task}, ESP 0x6000, the flat segments, no LDT. */
    private static final String TASK_32 = TASK_32_REGISTERS + """
                    .long   0x10, 0x08, 0x10, 0x10, 0x10, 0x10    # ES, CS, SS, DS, FS, GS
                    .long   0                       # LDT
                    .long   0x00680000              # I/O map beyond the limit
            """;

    /** A 16-bit {@code tss1}: IP at {@code task}, AX 0x1234, SP 0x6000, the flat segments. */
    private static final String TASK_16 = """
            tss1:   .word   0                       # the back link, set by the switch
                    .fill   6, 2, 0                 # SP0 to SS2
                    .word   task                    # IP
                    .word   2                       # FLAGS
                    .word   0x1234, 0, 0, 0         # AX, CX, DX, BX
                    .word   0x6000                  # SP
                    .word   0, 0, 0                 # BP, SI, DI
                    .word   0x10, 0x08, 0x10, 0x10  # ES, CS, SS, DS
                    .word   0                       # LDT
            """;

    /** What every guest here ends with: GDTR, the variables, the IDT and {@code tss0}. */
    private static final String TABLES = """
                    .balign 8
            gdtr:   .word   6*8-1
                    .long   gdt
            flags:  .long   0
            tr:     .long   0
            link:   .long   0
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   idt
            tss0:   .fill   0x68, 1, 0
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = TWO_TASKS + """
                    mov     $0x1111, %ebx           # kept in the interrupted task's TSS
                    mov     $0x2222, %ebp
                    int     $0x40
                    mov     flags, %esi
                    mov     tr, %edi
                    mov     link, %ecx
                    hlt
            task:   pushf
                    pop     flags
                    str     tr
                    mov     tss1, %eax
                    mov     %eax, link
                    mov     %esp, %ebx              # the new task's, lost when it switches back
                    iret
            """ + GDT + TSS_32 + TSS_32 + NONE + TASK_32 + TABLES)
    void anInterruptThroughATaskGateSwitchesTasksAndIretSwitchesBack(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.registers().rsi() & NT).as("NT in the gate's task").isEqualTo(NT);
        assertThat(run).registers().hasRdi(0x20).hasRcx(0x18).hasRbx(0x1111).hasRbp(0x2222).hasRsp(0x8000);
        assertThat(run.specialRegisters().tr().selector()).as("TR after IRET").isEqualTo(0x18);
        long gdt = run.specialRegisters().gdt().base();
        assertThat(run.memory().readLong(gdt + 0x18) & BUSY).as("the first task's TSS, busy again").isEqualTo(BUSY);
        assertThat(run.memory().readLong(gdt + 0x20) & BUSY).as("the gate's TSS, free again").isZero();
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = TWO_TASKS + """
                    mov     $0x1111, %ebx           # saved in the 16-bit TSS as BX
                    mov     $0xabcd5678, %esi       # saved as SI; the task's SI replaces the low half
                    int     $0x40
                    hlt
            task:   hlt
            """ + GDT + TSS_16 + TSS_16 + NONE + TASK_16 + TABLES)
    void aTaskGateSwitchesBetween16BitTasksInTheirLayout(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRax(0x1234).hasRbx(0).hasRsi(0xabcd_0000L).hasRsp(0x6000);
        assertThat(run.registers().rflags() & NT).as("NT in the gate's task").isEqualTo(NT);
        assertThat(run.specialRegisters().tr().selector()).as("TR").isEqualTo(0x20);
        long gdt = run.specialRegisters().gdt().base();
        long first = tssBase(run, gdt + 0x18);
        long second = tssBase(run, gdt + 0x20);
        assertThat(run.memory().readLong(gdt + 0x20) >>> 40 & 0xf).as("the gate's TSS, a busy 16-bit one").isEqualTo(3);
        assertThat(run.memory().readShort(second) & 0xffff).as("the back link").isEqualTo(0x18);
        assertThat(run.memory().readShort(first + 0x18) & 0xffff).as("BX saved").isEqualTo(0x1111);
        assertThat(run.memory().readShort(first + 0x1e) & 0xffff).as("SI saved").isEqualTo(0x5678);
        assertThat(run.memory().readShort(first + 0x24) & 0xffff).as("CS saved").isEqualTo(0x08);
        assertThat(run.memory().readShort(first + 0x2c) & 0xffff).as("past the 16-bit TSS: untouched").isZero();
    }

    /**
     * {@code IRET} from a task with a 16-bit TSS back to one with a 32-bit TSS, which Unicorn runs
     * itself: its task switch (QEMU 5.0's) saves the task it leaves in the layout of the TSS it
     * returns to, writing 0x40 bytes past the 16-bit TSS, where KVM and the CPU use its own.
     */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = INTERRUPTED_TASK + RETURNING_TASK + GDT + TSS_32 + TSS_16 + NONE
            + TASK_16 + """
                    .fill   0x40, 1, 0x5a           # past the 16-bit TSS
            """ + TABLES)
    void iretFromA16BitTaskToA32BitOne(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("TB");
        assertThat(run).registers().hasRbx(0x1111).hasRsp(0x8000);
        long pastTheTss = tssBase(run, run.specialRegisters().gdt().base() + 0x20) + 0x2c;
        long firstWordPast = run.memory().readInt(pastTheTss) & 0xffff_ffffL;
        if (run.backend() == Backend.KVM) {
            assertThat(firstWordPast).as("past the 16-bit TSS").isEqualTo(0x5a5a_5a5aL);
        } else {
            assertThat(firstWordPast).as("past the 16-bit TSS: ECX, in a 32-bit TSS's layout").isZero();
        }
    }

    /**
     * {@code IRET} back to a task with a 16-bit TSS, which Unicorn runs itself: its task switch
     * (QEMU 5.0's) sets the upper halves of the general registers it loads, where KVM
     * zero-extends them, and reads the segment selectors 4 bytes apart instead of 2, so the
     * switch ends in a fault.
     */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = INTERRUPTED_TASK + RETURNING_TASK + GDT + TSS_16 + TSS_16 + NONE
            + TASK_16 + TABLES)
    void iretToA16BitTask(GuestRun run) {
        assertThat(run).hasSerialOutput(run.backend() == Backend.KVM ? "TB" : "T");
        if (run.backend() == Backend.KVM) {
            assertThat(run).haltedNormally().registers().hasRbx(0x1111).hasRsp(0x8000);
        } else {
            assertThat(run.exits()).last().extracting(VmExit::reason).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(run).registers().hasRbx(0xffff_1111L).hasRsp(0xffff_8000L);
        }
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = TWO_TASKS + """
                    mov     $np, %eax               # #NP: an interrupt gate
                    mov     %ax, idt+11*8
                    movw    $0x08, idt+11*8+2
                    movw    $0x8e00, idt+11*8+4
                    shr     $16, %eax
                    mov     %ax, idt+11*8+6
                    int     $0x40
                    hlt
            task:   hlt
            np:     pop     %esi                    # the error code
                    pop     %edi                    # EIP
                    sub     $task, %edi
                    str     %ecx
                    mov     %esp, %ebp
                    hlt
            """ + GDT + TSS_32 + """
                    .quad   0x0000890000000067      # 0x20: the gate's TSS
                    .quad   0x00cf13000000ffff      # 0x28: data, not present
            """ + TASK_32_REGISTERS + """
                    .long   0x10, 0x08, 0x10, 0x28, 0x10, 0x10    # ES, CS, SS, DS (not present), FS, GS
                    .long   0                       # LDT
                    .long   0x00680000
            """ + TABLES)
    void aSegmentTheNewTaskCannotLoadFaultsInTheNewTaskOnTheEmulator(GuestRun run) {
        assertThat(run).haltedNormally();
        if (run.backend() == Backend.KVM) {
            // KVM completes the switch and drops the fault: the new task runs to its HLT.
            assertThat(run).registers().hasRsi(0).hasRsp(0x6000);
        } else {
            // The #NP frame is on the new task's stack, its EIP the new task's first instruction (EDI = EIP - task).
            assertThat(run).registers().hasRsi(0x28).hasRdi(0).hasRcx(0x20).hasRbp(0x6000 - 8);
        }
        assertThat(run.specialRegisters().tr().selector()).as("TR").isEqualTo(0x20);
    }

    private static long tssBase(GuestRun run, long descriptorAddress) {
        long descriptor = run.memory().readLong(descriptorAddress);
        return descriptor >>> 16 & 0xff_ffff | (descriptor >>> 56 & 0xff) << 24;
    }
}
