package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Registers;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * Firmware served in Java: a DOS-style call through the real-mode interrupt vector table, and a
 * general-protection fault of a long-mode guest served through the firmware's IDT.
 *
 * <p>What to learn: {@code firmware = INTERRUPTS} and {@code vm.onInterrupt}; the caller's flags
 * as the handler sees and changes them; the exception frame on the stack in long mode.
 */
class FirmwareServicesTest {
    // tag::dos-call[]
    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
            mov  $0x0900, %ax
            stc
            int  $0x21          # served in Java: CX = BX + 2, carry cleared
            jc   failed
            hlt
    failed: mov  $0xbad, %dx
            hlt
            """, registers = @Registers(rbx = 40))
    void dosCall(KvmVm vm) {
        vm.onInterrupt(0x21, vector -> {
            GeneralRegisters at = vm.registers();
            vm.setRegisters(at.withRcx(at.rbx() + 2).withRflags(at.rflags() & ~1));
        });
        GuestRun run = vm.run();
        assertThat(run).haltedNormally().registers().hasRcx(42);
        assertThat(run).exits().startsWith(VmExit.interrupt(0x21));      // detail "AH=0x09"
    }
    // end::dos-call[]

    // tag::general-protection-fault[]
    @Test
    @KvmGuest(mode = CpuMode.LONG, firmware = Firmware.INTERRUPTS, asm = """
            mov  %rsp, %rbp
            mov  $0x28, %eax
            mov  %eax, %ds      # beyond the GDT: #GP(0x28), served in Java
            mov  $7, %edx
            hlt
            """)
    void generalProtectionFault(KvmVm vm) {
        vm.onInterrupt(13, vector -> {
            long frame = vm.registers().rsp();                   // error code, then RIP, CS, RFLAGS, RSP, SS
            assertThat(vm.memory().readLong(frame)).isEqualTo(0x28);
            vm.memory().writeLong(frame + 8, vm.memory().readLong(frame + 8) + 2);   // skip the mov
        });
        assertThat(vm.run()).haltedNormally().registers().hasRdx(7);
    }
    // end::general-protection-fault[]
}
