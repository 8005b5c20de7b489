package io.github.junitkvm.guest;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import io.github.junitkvm.testsupport.SelectedHypervisor;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link VirtualMachine#reset()} through the {@link MachinePool}, on the backend
 * {@code junitkvm.backend} selects: a guest dirties RAM, an MSR, CR2, CR4,
 * CR0.TS and a segment register, and ends with a probe that shows the changes; the reset machine
 * then equals a new one (registers, system registers, all RAM zero), and the probe alone run on
 * it gives the same run, digest for digest, as on a new machine. A second pair of guests does the
 * same for the x87 and SSE state.
 */
@ExtendWith(SelectedHypervisor.class)
class MachineResetTest {
    /** Leaves in r8-r15 the state the dirtying part changes. */
    private static final String PROBE = """
                    mov     $0xc0000102, %ecx       # IA32_KERNEL_GS_BASE
                    rdmsr
                    mov     %rax, %r8
                    mov     %cr2, %r10
                    mov     $0x100000, %rsi         # the sum of the 256 KiB the dirtying part fills
                    mov     $0x8000, %rcx
                    xor     %r13, %r13
            1:      add     (%rsi), %r13
                    add     $8, %rsi
                    loop    1b
                    mov     %cr4, %r14
                    mov     %ds, %r15
            """;

    private static final String DIRTY = """
                    mov     $0xc0000102, %ecx
                    mov     $0x12345678, %eax
                    xor     %edx, %edx              # canonical, or WRMSR faults
                    wrmsr
                    movabs  $0x1111222233334444, %rax
                    mov     %rax, %cr2
                    mov     %cr4, %rax
                    or      $0x200, %rax            # OSFXSR
                    mov     %rax, %cr4
                    xor     %eax, %eax
                    mov     %eax, %ds
                    mov     $0x100000, %rdi
                    mov     $0x8000, %rcx
                    mov     $1, %rax
                    rep stosq
            """ + PROBE + """
                    mov     %cr0, %rax
                    or      $8, %rax                # CR0.TS: an x87 or SSE instruction would fault
                    mov     %rax, %cr0
                    hlt
            """;

    /** SSE needs CR4.OSFXSR, which the mode setup leaves off: both guests set it. */
    private static final String SSE_PROBE = """
                    mov     %cr4, %rax
                    or      $0x200, %rax
                    mov     %rax, %cr4
                    fnstsw  %ax                     # the x87 TOP
                    movzwq  %ax, %r11
                    movq    %xmm0, %r9
                    stmxcsr scratch(%rip)
                    movl    scratch(%rip), %r12d
            """;

    private static final String SSE_DIRTY = """
                    mov     %cr4, %rax
                    or      $0x200, %rax
                    mov     %rax, %cr4
                    movabs  $0x1111222233334444, %rax
                    movq    %rax, %xmm0
                    fld1
                    fldpi
                    movl    $0x1f40, scratch(%rip)  # MXCSR: round down, some exceptions unmasked
                    ldmxcsr scratch(%rip)
            """ + SSE_PROBE + """
                    hlt
            scratch: .long 0
            """;

    private final GuestSpecReader reader = new GuestSpecReader(getClass().getClassLoader());

    @KvmGuest(mode = CpuMode.LONG, asm = DIRTY)
    private void dirty() {
    }

    @KvmGuest(mode = CpuMode.LONG, asm = PROBE + "hlt\n")
    private void probe() {
    }

    @KvmGuest(mode = CpuMode.LONG, asm = SSE_DIRTY)
    private void sseDirty() {
    }

    @KvmGuest(mode = CpuMode.LONG, asm = SSE_PROBE + "hlt\nscratch: .long 0\n")
    private void sseProbe() {
    }

    @Test
    void aResetMachineHasTheRamRegistersAndMsrsOfANewOne(Hypervisor hypervisor) throws Exception {
        resetLooksNew(hypervisor, spec("dirty"), spec("probe"), dirtied -> assertThat(dirtied).registers()
                .hasR8(0x12345678).hasR10(0x1111222233334444L).hasR13(0x8000).hasR15(0));
    }

    /** PVM cannot run x87 or SSE instructions in its guests (KVM_INTERNAL_ERROR_EMULATION at them). */
    @Test
    @DisabledOnPvm
    void aResetMachineHasTheX87AndSseStateOfANewOne(Hypervisor hypervisor) throws Exception {
        resetLooksNew(hypervisor, spec("sseDirty"), spec("sseProbe"), dirtied -> assertThat(dirtied).registers()
                .hasR9(0x1111222233334444L).hasR11(0x3000).hasR12(0x1f40));
    }

    private GuestSpec spec(String method) throws NoSuchMethodException {
        return reader.read(getClass().getDeclaredMethod(method).getAnnotation(KvmGuest.class));
    }

    private static void resetLooksNew(Hypervisor hypervisor, GuestSpec dirty, GuestSpec probe,
                                      Consumer<GuestRun> dirtied) {
        MachineConfig config = new MachineConfig(dirty.ram(), CpuMode.LONG);
        try (MachinePool pool = new MachinePool()) {
            MachineSource reused = pool.on(hypervisor);
            try (GuestVm vm = GuestVm.create(reused, dirty, run -> { })) {
                GuestRun run = vm.run();
                assertThat(run).haltedNormally();
                dirtied.accept(run);
            }
            assertThat(pool.parkedCount()).isEqualTo(1);

            VirtualMachine reset = reused.obtain(config);
            assertThat(pool.parkedCount()).isZero();
            try (VirtualMachine fresh = hypervisor.createMachine(config)) {
                assertThat(reset.registers()).isEqualTo(fresh.registers());
                assertThat(reset.specialRegisters()).isEqualTo(fresh.specialRegisters());
                for (RamRegion region : config.ram()) {
                    assertThat(reset.readMemory(region.guestAddress(), (int) region.size()))
                            .as("RAM %s after the reset", region).containsOnly(0);
                }
            } finally {
                reused.release(reset, config, true);
            }

            GuestRun onReset;
            try (GuestVm vm = GuestVm.create(reused, probe, run -> { })) {
                onReset = vm.run();
            }
            GuestRun onNew;
            try (GuestVm vm = GuestVm.create(MachineSource.fresh(hypervisor), probe, run -> { })) {
                onNew = vm.run();
            }
            assertThat(onNew).haltedNormally();
            assertThat(RunDigest.of(onReset)).isEqualTo(RunDigest.of(onNew));
            assertThat(pool.parkedCount()).isEqualTo(1);
        }
    }
}
