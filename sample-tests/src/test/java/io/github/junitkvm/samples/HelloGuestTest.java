package io.github.junitkvm.samples;

// tag::first-test[]
import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.*;
import org.junit.jupiter.api.Test;

class HelloGuestTest {
    @Test
    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000),
              code = "ba f8 03 00 d8 04 30 ee b0 0a ee f4",   // mov dx,0x3f8; add al,bl; add al,'0'; out; mov al,10; out; hlt
              registers = @Registers(rax = 2, rbx = 2))
    void addsInRealMode(GuestRun run) {                    // the extension ran the fresh VM already
        assertThat(run).haltedNormally().hasSerialOutput("4\n");
        assertThat(run).exits().containsExactly(
                VmExit.ioOut(0x3f8, '4'), VmExit.ioOut(0x3f8, '\n'), VmExit.hlt());
        assertThat(run).registers().hasRax('\n');
    }

    @Test
    @KvmGuest(code = "e4 60 ee f4")                            // in al,0x60; out dx,al; hlt
    void answersPortReads(KvmVm vm) {                          // fresh VM, not yet run
        vm.onPortIn(0x60, (port, size) -> 0x2a);
        vm.setRegisters(vm.registers().withRdx(0x80));
        GuestRun run = vm.run();
        assertThat(run).exits().contains(VmExit.ioIn(0x60, 1), VmExit.ioOut(0x80, 0x2a));
    }
}
// end::first-test[]
