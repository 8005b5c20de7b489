package io.github.junitkvm.kvm;

import static io.github.junitkvm.testsupport.RecordingListener.inEvent;
import static io.github.junitkvm.testsupport.RecordingListener.mmioReadEvent;
import static io.github.junitkvm.testsupport.RecordingListener.mmioWriteEvent;
import static io.github.junitkvm.testsupport.RecordingListener.outEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs real-mode guests on real KVM through the backend SPI and checks the exits they cause. */
@Tag("kvm")
class KvmMachineTest {

    @Test
    void runsTheClassicSample() {
        // mov dx,0x3f8; add al,bl; add al,'0'; out dx,al; mov al,10; out dx,al; hlt
        try (VirtualMachine vm = RealModeGuest.create("ba f8 03 00 d8 04 30 ee b0 0a ee f4")) {
            vm.setRegisters(vm.registers().withRax(2).withRbx(2));
            RecordingListener listener = new RecordingListener();

            StopCause stop = RealModeGuest.run(vm, Set.of(), listener);

            assertThat(listener.events).containsExactly(outEvent(0x3f8, 1, '4'), outEvent(0x3f8, 1, '\n'));
            assertThat(stop).isEqualTo(StopCause.hlt());
            assertThat(vm.registers().rax()).isEqualTo(10);
            assertThat(vm.registers().rip()).isEqualTo(0x100c);
        }
    }

    @Test
    void givesTheGuestTheListenersValueForAnIn() {
        // in al,0x60; out dx,al; hlt
        try (VirtualMachine vm = RealModeGuest.create("e4 60 ee f4")) {
            vm.setRegisters(vm.registers().withRdx(0x80));
            RecordingListener listener = new RecordingListener(() -> 0x2a, () -> 0);

            StopCause stop = RealModeGuest.run(vm, Set.of(), listener);

            assertThat(listener.events).containsExactly(inEvent(0x60, 1), outEvent(0x80, 1, 0x2a));
            assertThat(stop.kind()).isEqualTo(StopCause.Kind.HLT);
        }
    }

    @Test
    void passesEachElementOfAStringOutToTheListener() {
        // mov si,0x1100; mov cx,5; mov dx,0x3f8; cld; rep outsb; hlt
        try (VirtualMachine vm = RealModeGuest.create("be 00 11 b9 05 00 ba f8 03 fc f3 6e f4")) {
            vm.writeMemory(0x1100, "hello".getBytes(StandardCharsets.US_ASCII));
            RecordingListener listener = new RecordingListener();

            StopCause stop = RealModeGuest.run(vm, Set.of(), listener);

            assertThat(listener.events).containsExactly(outEvent(0x3f8, 1, 'h'), outEvent(0x3f8, 1, 'e'),
                    outEvent(0x3f8, 1, 'l'), outEvent(0x3f8, 1, 'l'), outEvent(0x3f8, 1, 'o'));
            assertThat(stop.kind()).isEqualTo(StopCause.Kind.HLT);
        }
    }

    @Test
    void storesEachValueOfAStringInForTheGuest() {
        // mov di,0x1200; mov cx,4; mov dx,0x60; cld; rep insw; hlt
        try (VirtualMachine vm = RealModeGuest.create("bf 00 12 b9 04 00 ba 60 00 fc f3 6d f4")) {
            AtomicLong next = new AtomicLong(0x1110);
            RecordingListener listener = new RecordingListener(() -> next.getAndAdd(0x1111), () -> 0);

            StopCause stop = RealModeGuest.run(vm, Set.of(), listener);

            assertThat(listener.events).containsExactly(inEvent(0x60, 2), inEvent(0x60, 2), inEvent(0x60, 2), inEvent(0x60, 2));
            assertThat(vm.readMemory(0x1200, 8)).containsExactly(
                    0x10, 0x11, 0x21, 0x22, 0x32, 0x33, 0x43, 0x44);
            assertThat(stop.kind()).isEqualTo(StopCause.Kind.HLT);
        }
    }

    @Test
    void turnsAccessesOutsideRamIntoMmioExits() {
        // mov ax,[0x3000]; mov [0x3100],ax; hlt -- RAM is only 0x1000-0x1fff
        try (VirtualMachine vm = RealModeGuest.create("a1 00 30 a3 00 31 f4")) {
            RecordingListener listener = new RecordingListener(() -> 0, () -> 0x1234);

            StopCause stop = RealModeGuest.run(vm, Set.of(), listener);

            assertThat(listener.events).containsExactly(mmioReadEvent(0x3000, 2), mmioWriteEvent(0x3100, 2, 0x1234));
            assertThat(vm.registers().rax() & 0xffff).isEqualTo(0x1234);
            assertThat(stop.kind()).isEqualTo(StopCause.Kind.HLT);
        }
    }

    @Test
    void turnsWritesToReadOnlyRamIntoMmioWrites() {
        // mov al,[0x2000]; inc al; mov [0x2000],al; hlt -- 0x2000 is read-only RAM holding 0x41
        List<RamRegion> ram = List.of(new RamRegion(0x1000, 0x1000, false), new RamRegion(0x2000, 0x1000, true));
        try (VirtualMachine vm = RealModeGuest.create("a0 00 20 fe c0 a2 00 20 f4", ram)) {
            vm.writeMemory(0x2000, new byte[] {0x41});
            RecordingListener listener = new RecordingListener();

            StopCause stop = RealModeGuest.run(vm, Set.of(), listener);

            assertThat(listener.events).containsExactly(mmioWriteEvent(0x2000, 1, 0x42));
            assertThat(vm.readMemory(0x2000, 1)).containsExactly(0x41);
            assertThat(stop.kind()).isEqualTo(StopCause.Kind.HLT);
        }
    }

    @Test
    void stopsOnAnOutToAStopPortWithoutTellingTheListener() {
        // out 0x80,al (0x01); mov al,7; out 0xf4,al; hlt
        try (VirtualMachine vm = RealModeGuest.create("b0 01 e6 80 b0 07 e6 f4 f4")) {
            RecordingListener listener = new RecordingListener();

            StopCause stop = RealModeGuest.run(vm, Set.of(0xf4), listener);

            assertThat(stop).isEqualTo(StopCause.stopPort(0xf4, 1, 7));
            assertThat(listener.events).containsExactly(outEvent(0x80, 1, 1));
        }
    }

    @Test
    void reportsATripleFaultAsShutdown() {
        // lidt [0x1100] (an IDT with limit 0); mov eax,cr0; or al,1; mov cr0,eax; ud2 -- in protected
        // mode #UD, #GP and #DF all miss the IDT. (In real mode, int3 with that IDT left KVM's
        // real-mode interrupt emulation looping on this nested AMD host instead of shutting down.)
        try (VirtualMachine vm = RealModeGuest.create("0f 01 1e 00 11 0f 20 c0 0c 01 0f 22 c0 0f 0b")) {
            StopCause stop = RealModeGuest.run(vm, Set.of(), new RecordingListener());

            assertThat(stop.kind()).isEqualTo(StopCause.Kind.SHUTDOWN);
            assertThat(stop.detail()).isEqualTo("triple fault or shutdown");
        }
    }

    @Test
    void setsAndGetsTheSystemRegisters() {
        try (VirtualMachine vm = RealModeGuest.create("f4")) {
            SpecialRegisters sregs = vm.specialRegisters();
            Segment ds = sregs.ds().withSelector(0x1234).withBase(0x12340).withLimit(0xffff).withType(3);
            vm.setSpecialRegisters(sregs.withDs(ds)
                    .withGdt(new io.github.junitkvm.DescriptorTable(0x500, 0x17)).withCr2(0xdead));

            SpecialRegisters read = vm.specialRegisters();

            assertThat(read.ds()).isEqualTo(ds);
            assertThat(read.gdt()).isEqualTo(new io.github.junitkvm.DescriptorTable(0x500, 0x17));
            assertThat(read.cr2()).isEqualTo(0xdead);
            assertThat(read.cs()).isEqualTo(sregs.cs());
        }
    }

    @Test
    void setsAndGetsTheGeneralRegisters() {
        try (VirtualMachine vm = RealModeGuest.create("f4")) {
            GeneralRegisters regs = new GeneralRegisters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                    0x1000, 0x202);

            vm.setRegisters(regs);

            assertThat(vm.registers()).isEqualTo(regs);
        }
    }

    @Test
    void rejectsMemoryAccessesOutsideTheRegions() {
        try (VirtualMachine vm = RealModeGuest.create("f4")) {
            assertThatThrownBy(() -> vm.readMemory(0xfff, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0xfff").hasMessageContaining("[0x1000, 0x2000)");
            assertThatThrownBy(() -> vm.writeMemory(0x1ffc, new byte[8]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> vm.readMemory(0x1000, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
            assertThat(vm.readMemory(0x1ffc, 4)).hasSize(4);
        }
    }
}
