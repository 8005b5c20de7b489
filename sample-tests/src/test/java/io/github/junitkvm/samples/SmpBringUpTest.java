package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Registers;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * Bringing up the application processors of a guest with several vCPUs, the two ways the extension
 * offers: the bootstrap processor asks for an AP's start, which a handler performs as a local APIC's
 * INIT and start-up IPI would, or every AP starts at a declared entry point in the same run. Each
 * AP announces itself with a {@code LOCK}ed increment of a shared counter.
 *
 * <p>What to learn: {@code @KvmGuest(vcpus, apEntry)}, {@code KvmVm.startVcpu}, and
 * {@code GuestRun.vcpu(i)} for what one vCPU did (the guide's "More than one vCPU").
 */
class SmpBringUpTest {
    // tag::start-vcpu[]
    @Test
    @KvmGuest(vcpus = 2, asm = """
                    mov     $1, %al
                    out     %al, $0x80              # "start vCPU 1", to the test's handler
            wait:   cmpw    $1, 0x1100
                    jne     wait
                    hlt
                    .org    0x7000                  # 0x8000: the page of start-up vector 8
                    lock incw 0x1100
                    hlt
            """)
    void theBspStartsAnAp(KvmVm vm) {
        vm.onPortOut(0x80, (port, size, value) -> vm.startVcpu((int) value, 8));
        assertThat(vm.run()).haltedNormally();
    }
    // end::start-vcpu[]

    // tag::ap-entry[]
    @Test
    @KvmGuest(mode = CpuMode.LONG, vcpus = 4, apEntry = 0x1200, registers = @Registers(rcx = 3), asm = """
                    wait:   pause                       # the BSP waits for the three APs
                            cmp     %ecx, arrived
                            jne     wait
                            hlt
                            .org    0x100
                    arrived: .long  0
                            .org    0x200               # 0x1200: the APs' entry
                            mov     $1, %eax
                            lock xadd %eax, arrived
                            mov     %edi, %ebx          # RDI: the AP's index
                            hlt
            """)
    void everyApChecksIn(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.memory().readInt(0x1100)).isEqualTo(3);
        assertThat(run.vcpu(2).registers().rbx()).isEqualTo(2);
        assertThat(run.vcpu(2).exits()).containsExactly(VmExit.hlt());
    }
    // end::ap-entry[]
}
