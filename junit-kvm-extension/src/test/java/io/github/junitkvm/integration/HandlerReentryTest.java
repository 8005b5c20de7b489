package io.github.junitkvm.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.MmioHandler;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * A port or MMIO handler uses its VM during the run: each use but {@code close()} is an
 * {@link IllegalStateException} that ends the run and names the call, on every backend, never a
 * hang (the emulator's worker, busy in the run, would never answer) nor a state half-way through an
 * instruction; the VM then serves the test as before. The timeout only guards against the hang.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class HandlerReentryTest {
    /** The use the handlers make in the run at hand. */
    private final AtomicReference<Consumer<KvmVm>> use = new AtomicReference<>();
    /** The registers the run at hand starts with. */
    private GeneralRegisters start;
    private final Map<String, Consumer<KvmVm>> uses = Map.of(
            "KvmVm.memory()", vm -> vm.memory().writeByte(0x2000, 1),
            "KvmVm.registers()", KvmVm::registers,
            "KvmVm.setRegisters()", vm -> vm.setRegisters(start),
            "KvmVm.specialRegisters()", KvmVm::specialRegisters,
            "KvmVm.run()", KvmVm::run);

    @Test
    @KvmGuest(code = "e4 60 f4")  // in al,0x60; hlt
    void aPortInHandlerCannotUseItsVm(KvmVm vm) {
        vm.onPortIn(0x60, (port, size) -> {
            use.get().accept(vm);
            return 0;
        });
        assertEachUseIsRefused(vm);
    }

    @Test
    @KvmGuest(code = "e6 60 f4")  // out 0x60,al; hlt
    void aPortOutHandlerCannotUseItsVm(KvmVm vm) {
        vm.onPortOut(0x60, (port, size, value) -> use.get().accept(vm));
        assertEachUseIsRefused(vm);
    }

    @Test
    @KvmGuest(memory = @Memory(size = 0x10000), code = "b8 00 20 8e d8 a0 00 00 f4")  // mov ds,0x2000; mov al,[0]; hlt
    void anMmioReadHandlerCannotUseItsVm(KvmVm vm) {
        vm.onMmio(0x20000, 0x1000, (address, size) -> {
            use.get().accept(vm);
            return 0;
        });
        assertEachUseIsRefused(vm);
    }

    @Test
    @KvmGuest(memory = @Memory(size = 0x10000), code = "b8 00 20 8e d8 a2 00 00 f4")  // mov ds,0x2000; mov [0],al; hlt
    void anMmioWriteHandlerCannotUseItsVm(KvmVm vm) {
        vm.onMmio(0x20000, 0x1000, new MmioHandler() {
            @Override
            public long read(long address, int size) {
                return 0;
            }

            @Override
            public void write(long address, int size, long value) {
                use.get().accept(vm);
            }
        });
        assertEachUseIsRefused(vm);
    }

    private void assertEachUseIsRefused(KvmVm vm) {
        uses.forEach((name, call) -> {
            use.set(call);
            start = vm.registers().withRip(0x1000);
            vm.setRegisters(start);
            assertThatIllegalStateException().as(name).isThrownBy(vm::run)
                    .withMessage(name + " was called by a handler during the run: a handler may close() its VM but"
                            + " not use it; read and write memory and registers between runs");
            assertThat(vm.memory().readByte(0x2000)).as("memory after " + name).isZero();
        });
    }
}
