package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A polling COM1 driver, as early boot code writes it: before each byte it waits for the line
 * status register's "transmitter holding register empty" bit.
 *
 * <pre>
 *         mov  si, msg
 * next:   lodsb
 *         test al, al
 *         jz   done
 *         mov  ah, al
 *         mov  dx, 0x3fd       ; line status register
 * wait:   in   al, dx
 *         test al, 0x20        ; THRE
 *         jz   wait
 *         mov  dx, 0x3f8
 *         mov  al, ah
 *         out  dx, al
 *         jmp  next
 * done:   hlt
 * msg:    .asciz "Hi\n"
 * </pre>
 */
@KvmGuest(code = "be 1b 10 ac 84 c0 74 12 88 c4 ba fd 03 ec a8 20 74 fb ba f8 03 88 e0 ee eb e9 f4 48 69 0a 00")
class PollingSerialDriverTest {

    @Test
    void writesItsMessageOnTheBuiltInUart(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("Hi\n");
    }

    @Test
    void checksTheLineStatusBeforeEveryByte(GuestRun run) {
        assertThat(run).exits().containsExactly(
                VmExit.ioIn(0x3fd, 1), VmExit.ioOut(0x3f8, 'H'),
                VmExit.ioIn(0x3fd, 1), VmExit.ioOut(0x3f8, 'i'),
                VmExit.ioIn(0x3fd, 1), VmExit.ioOut(0x3f8, '\n'),
                VmExit.hlt());
    }

    @Test
    void waitsForASlowTransmitter(KvmVm vm) {
        AtomicInteger busyPolls = new AtomicInteger();
        vm.onPortIn(0x3fd, (port, size) -> {
            if (busyPolls.get() < 100) {
                busyPolls.incrementAndGet();
                return 0x00;  // still sending the previous byte
            }
            return 0x60;
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput("Hi\n");
        assertThat(run).exits().filteredOn(exit -> exit.reason() == ExitReason.IO_IN).hasSize(103);
    }

    @Test
    void neverWritesWhileTheTransmitterStaysBusy(KvmVm vm) {
        vm.onPortIn(0x3fd, (port, size) -> 0x00);

        GuestRun run = vm.run(java.time.Duration.ofMillis(200));

        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run).serialOutput().isEmpty();
    }
}
