package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.MmioHandler;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Guest accesses outside RAM are MMIO exits, served by the test's handlers. */
class MmioTest {
    /** es = 0x2000; mov al,[es:0x10]; mov byte [es:0x20],0x55; out 0x80,al; hlt — touches 0x20010 and 0x20020. */
    private static final String DEVICE_ACCESS = "b8 00 20 8e c0 26 a0 10 00 26 c6 06 20 00 55 e6 80 f4";

    @Test
    @KvmGuest(memory = @Memory(size = 0x10000), code = DEVICE_ACCESS)
    void accessesOutsideRamReachTheHandler(KvmVm vm) {
        List<String> writes = new ArrayList<>();
        vm.onMmio(0x20000, 0x1000, new MmioHandler() {
            @Override
            public long read(long address, int size) {
                return address == 0x20010 ? 0x3c : 0;
            }

            @Override
            public void write(long address, int size, long value) {
                writes.add(Long.toHexString(address) + "=" + Long.toHexString(value));
            }
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioRead(0x20010, 1), VmExit.mmioWrite(0x20020, 1, 0x55),
                VmExit.ioOut(0x80, 0x3c), VmExit.hlt());
        assertThat(writes).containsExactly("20020=55");
    }

    @Test
    @KvmGuest(memory = @Memory(size = 0x10000), code = DEVICE_ACCESS)
    void unservedReadsOutsideRamReturnAllOnes(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().contains(VmExit.mmioRead(0x20010, 1), VmExit.ioOut(0x80, 0xff));
    }
}
