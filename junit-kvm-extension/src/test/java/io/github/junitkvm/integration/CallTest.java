package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.junitkvm.CallResult;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestArena;
import io.github.junitkvm.GuestCallError;
import io.github.junitkvm.GuestFunction;
import io.github.junitkvm.GuestSymbol;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Calling the functions of a compiled guest by name ({@code src/test/c/calls.c}): the same tests
 * in {@code LONG} mode (the System V AMD64 ABI, calls-64.elf) and in {@code PROTECTED} and
 * {@code PAGED} mode (cdecl, calls-32.elf), then what a guest without symbols, a {@code REAL}-mode
 * guest and one without free RAM get.
 */
class CallTest {
    @Nested
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/calls-64.elf")
    class SystemVInLongMode extends CallsInEveryMode {
        SystemVInLongMode() {
            super(8, "RBX");
        }

        @Test
        void passes64BitArgumentsInOneRegister(KvmVm vm) {
            assertThat(vm.call("add2", 0x1_0000_0000L, 0x2_0000_0002L).asLong()).isEqualTo(0x3_0000_0002L);
        }
    }

    @Nested
    @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/calls-32.elf")
    class CdeclInProtectedMode extends CallsInEveryMode {
        CdeclInProtectedMode() {
            super(4, "EBX");
        }

        @Test
        void refusesAnArgumentWiderThanItsSlot(KvmVm vm) {
            assertThatIllegalArgumentException().isThrownBy(() -> vm.call("add2", 0x1_0000_0000L, 0))
                    .withMessage("argument 0, 0x100000000, does not fit the 32-bit stack slot of a cdecl call: pass a"
                            + " 64-bit argument as two, its low half first");
        }
    }

    @Nested
    @KvmGuest(mode = CpuMode.PAGED, resource = "/guests/calls-32.elf")
    class CdeclInPagedMode extends CallsInEveryMode {
        CdeclInPagedMode() {
            super(4, "EBX");
        }
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = "lea (%rdi,%rsi), %rax\nret")
    void callsCodeWithoutSymbolsByAddress(KvmVm vm) {
        assertThat(vm.functionAt(0x1000).call(40, 2).asLong()).isEqualTo(42);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = "ret")
    void aGuestWithoutAnElfImageHasNoSymbols(KvmVm vm) {
        assertThatIllegalStateException().isThrownBy(() -> vm.symbol("main"))
                .withMessage("no symbol \"main\": the guest's code comes from @KvmGuest(asm), assembled into a flat"
                        + " binary, which has no symbol table; symbols come from an ELF executable,"
                        + " @KvmGuest(resource = \"....elf\")");
        assertThatIllegalStateException().isThrownBy(() -> vm.call("main"))
                .withMessageStartingWith("no symbol \"main\": the guest's code comes from @KvmGuest(asm)");
    }

    @Test
    @KvmGuest(code = "c3")
    void realModeHasNoCallingConvention(KvmVm vm) {
        assertThatIllegalStateException().isThrownBy(() -> vm.functionAt(0x1000))
                .withMessageStartingWith("function calls and the arena need PROTECTED, PAGED or LONG mode, not REAL");
        assertThatIllegalStateException().isThrownBy(vm::arena)
                .withMessageStartingWith("function calls and the arena need PROTECTED, PAGED or LONG mode, not REAL");
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, memory = @Memory(size = 0x2000), asm = ".fill 0xe00, 1, 0x90\nret")
    void aGuestWhoseRamIsFullHasNoRoomForCalls(KvmVm vm) {
        assertThatIllegalStateException().isThrownBy(() -> vm.functionAt(0x1000).call())
                .withMessage("no room for the call stack and the arena: they need 1024 bytes of writable RAM the image"
                        + " and the extension's tables leave free below 4 GiB; RAM is [0x0, 0x2000)");
    }

    /**
     * What holds in every mode with a calling convention: the tests take the widths of the C types
     * ({@code long} is 32 bits in cdecl) into account.
     */
    abstract static class CallsInEveryMode {
        private final int slot;
        private final String calleeSavedRegister;

        CallsInEveryMode(int slot, String calleeSavedRegister) {
            this.slot = slot;
            this.calleeSavedRegister = calleeSavedRegister;
        }

        @Test
        void passesArgumentsAndReturnsTheResult(KvmVm vm) {
            assertThat(vm.call("add2", 40, 2).asInt()).isEqualTo(42);
            assertThat(vm.call("add2", -50, 8).asInt()).isEqualTo(-42);
        }

        @Test
        void passesArgumentsPastTheRegistersOnTheStack(KvmVm vm) {
            assertThat(vm.call("weighted8", 1, 2, 3, 4, 5, 6, 7, 8).asInt()).isEqualTo(204);
            assertThat(vm.call("weighted8", 0, 0, 0, 0, 0, 0, 0, -1).asInt()).isEqualTo(-8);
        }

        @Test
        void passesArgumentsOfEveryWidth(KvmVm vm) {
            long expected = -1 + 255 + -300 + 65535 + -100_000 + 4_000_000_000L - 7 + 1_000_000
                    + Integer.MIN_VALUE + Integer.MAX_VALUE;

            CallResult result = vm.call("mixed10", -1, 255, -300, 65535, -100_000, 4_000_000_000L, -7, 1_000_000,
                    Integer.MIN_VALUE, Integer.MAX_VALUE);

            assertThat(result.asLong()).isEqualTo(expected);
        }

        @Test
        void returnsTheResultAtTheWidthAsked(KvmVm vm) {
            CallResult result = vm.call("dirty_result");

            assertThat(result.asLong()).isEqualTo(0x12345678_deadbe01L);
            assertThat(result.asUnsignedInt()).isEqualTo(0xdeadbe01L);
            assertThat(result.asInt()).isEqualTo(0xdeadbe01);
            assertThat(result.asUnsignedShort()).isEqualTo(0xbe01);
            assertThat(result.asShort()).isEqualTo((short) 0xbe01);
            assertThat(result.asUnsignedByte()).isEqualTo(1);
            assertThat(result.asByte()).isEqualTo((byte) 1);
            assertThat(result.asBoolean()).isTrue();
            assertThat(vm.call("wide").asLong()).isEqualTo(0x11223344_55667788L);
            assertThat(vm.call("negative").asInt()).isEqualTo(-5);
            assertThat(vm.call("is_even", 4).asBoolean()).isTrue();
            assertThat(vm.call("is_even", 5).asBoolean()).isFalse();
        }

        @Test
        void passesBuffersStructuresAndStringsFromTheArena(KvmVm vm) {
            GuestArena arena = vm.arena();
            byte[] bytes = {1, 2, 3, (byte) 250};
            long buffer = arena.put(bytes);
            long point = arena.putInts(6, -7);
            long text = arena.putString("h\u00e9llo");

            assertThat(vm.call("sum_bytes", buffer, bytes.length).asUnsignedInt()).isEqualTo(256);
            vm.call("scale", point, -3);
            assertThat(vm.memory().readInt(point)).isEqualTo(-18);
            assertThat(vm.memory().readInt(point + 4)).isEqualTo(21);
            assertThat(vm.call("length_of", text).asUnsignedInt())
                    .isEqualTo("h\u00e9llo".getBytes(StandardCharsets.UTF_8).length);
            assertThat(buffer % 16).isZero();
            assertThat(point % 16).isZero();
        }

        @Test
        void theArenaHandsOutZeroedMemoryUntilReset(KvmVm vm) {
            GuestArena arena = vm.arena();
            long first = arena.put(new byte[] {9, 9, 9});
            long remaining = arena.remaining();
            long aligned = arena.allocate(100, 4096);

            assertThat(aligned % 4096).isZero();
            assertThat(arena.remaining()).isLessThan(remaining);
            arena.reset();
            assertThat(arena.remaining()).isEqualTo(arena.size());
            assertThat(arena.allocate(3)).isEqualTo(first);
            assertThat(vm.memory().read(first, 3)).containsOnly(0);
            assertThatIllegalStateException().isThrownBy(() -> arena.allocate(arena.size()))
                    .withMessageContaining("reset() it, or give the guest more RAM");
        }

        @Test
        void callsOneVmThousandsOfTimesKeepingTheGuestsState(KvmVm vm) {
            GuestFunction next = vm.function("next_count");
            for (int i = 1; i <= 2000; i++) {
                assertThat(next.call().asUnsignedInt()).isEqualTo(i);
            }
        }

        @Test
        void findsSymbolsOfDataAndCode(KvmVm vm) {
            GuestSymbol primes = vm.symbol("primes");

            assertThat(primes.kind()).isEqualTo(GuestSymbol.Kind.OBJECT);
            assertThat(primes.size()).isEqualTo(16);
            assertThat(vm.memory().readInt(primes.address() + 12)).isEqualTo(7);
            assertThat(vm.symbol("add2").kind()).isEqualTo(GuestSymbol.Kind.FUNCTION);
            assertThat(vm.functionAt(vm.symbol("add2").address()).call(1, 2).asInt()).isEqualTo(3);
            assertThatIllegalArgumentException().isThrownBy(() -> vm.function("primes"))
                    .withMessage("\"primes\" at 0x%x is data (STT_OBJECT), not a function: read it through"
                            + " KvmVm.memory()", primes.address());
        }

        @Test
        void aMissingSymbolNamesSimilarOnes(KvmVm vm) {
            assertThatIllegalArgumentException().isThrownBy(() -> vm.call("weighted", 1))
                    .withMessageStartingWith("@KvmGuest(resource = \"/guests/calls-")
                    .withMessageContaining(": no symbol \"weighted\" in the .symtab of ")
                    .withMessageEndingWith("names; similar: weighted8");
        }

        @Test
        void aFaultingCallFailsWithTheRunsReportAndTheNextCallWorks(KvmVm vm) {
            GuestCallError error = catchCallError(() -> vm.call("faulting"));

            assertThat(error.run().lastExit().reason()).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(error).hasMessageContaining("faulting() did not return: the run stopped with SHUTDOWN")
                    .hasMessageContaining("registers at the stop:");
            assertThat(vm.call("add2", 20, 22).asInt()).as("a call after the triple fault").isEqualTo(42);
        }

        @Test
        void aHangingCallStopsAtItsTimeLimitAndTheNextCallWorks(KvmVm vm) {
            GuestFunction spin = vm.function("spin").withTimeout(Duration.ofMillis(200));

            GuestCallError error = catchCallError(spin::call);

            assertThat(error.run().lastExit().reason()).isEqualTo(ExitReason.TIMEOUT);
            assertThat(error).hasMessageContaining("spin() did not return: the run stopped with TIMEOUT");
            assertThat(vm.call("add2", 1, 2).asInt()).isEqualTo(3);
        }

        @Test
        void aFunctionThatReturnsElsewhereFails(KvmVm vm) {
            GuestCallError error = catchCallError(() -> vm.call("returns_elsewhere"));

            assertThat(error).hasMessageContaining("returns_elsewhere() did not return to its caller: it halted at 0x%x,"
                    + " not at the return address", vm.symbol("elsewhere").address());
        }

        @Test
        void aFunctionThatUnbalancesTheStackFails(KvmVm vm) {
            GuestCallError error = catchCallError(() -> vm.call("pops_arguments"));

            assertThat(error).hasMessageContaining("it removed %d bytes of its caller's", slot);
        }

        @Test
        void aFunctionThatChangesACalleeSavedRegisterFails(KvmVm vm) {
            GuestCallError error = catchCallError(() -> vm.call("clobbers_callee_saved"));

            assertThat(error).hasMessageContaining("clobbers_callee_saved() returned, but it changed %s from 0x0 to 0x5",
                    calleeSavedRegister);
            assertThat(vm.call("add2", 2, 2).asInt()).isEqualTo(4);
        }

        private static GuestCallError catchCallError(Runnable call) {
            GuestCallError error = catchThrowableOfType(GuestCallError.class, call::run);
            assertThat(error).as("the call's failure").isNotNull();
            return error;
        }
    }
}
