package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.sun.jna.Memory;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.StopCause;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * Decoding of {@code kvm_run} exits, on a hand-filled {@code kvm_run} in ordinary memory: covers
 * exits a test guest on real KVM cannot easily cause (a failed entry, an internal error) and string
 * I/O with a known element count.
 */
class ExitDecoderTest {
    private static final int MAPPING_SIZE = 3 * 4096;
    private static final int DATA_PAGE = 4096;

    private final Memory memory = new Memory(MAPPING_SIZE);
    private final KvmRun run = new KvmRun(memory, MAPPING_SIZE);
    private final ExitListener listener = mock(ExitListener.class);

    ExitDecoderTest() {
        memory.clear();
    }

    @AfterEach
    void free() {
        memory.close();
    }

    @Test
    void passesEveryElementOfAStringOutToTheListener() {
        io(KvmConstants.KVM_EXIT_IO_OUT, 2, 0x3f8, 3);
        memory.write(DATA_PAGE, new short[] {0x1111, 0x2222, 0x3333}, 0, 3);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();

        InOrder order = inOrder(listener);
        order.verify(listener).portOut(0x3f8, 2, 0x1111);
        order.verify(listener).portOut(0x3f8, 2, 0x2222);
        order.verify(listener).portOut(0x3f8, 2, 0x3333);
    }

    @Test
    void storesEachInValueAtItsElementsPlace() {
        io(KvmConstants.KVM_EXIT_IO_IN, 4, 0x60, 2);
        when(listener.portIn(0x60, 4)).thenReturn(0x11223344L, 0xaabbccddL);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();

        assertThat(memory.getInt(DATA_PAGE)).isEqualTo(0x11223344);
        assertThat(memory.getInt(DATA_PAGE + 4)).isEqualTo(0xaabbccdd);
    }

    @Test
    void stopsOnAnOutToAStopPortWithoutTheListener() {
        io(KvmConstants.KVM_EXIT_IO_OUT, 1, 0xf4, 1);
        memory.setByte(DATA_PAGE, (byte) 0x85);

        assertThat(ExitDecoder.decode(run, Set.of(0xf4), listener)).isEqualTo(StopCause.stopPort(0xf4, 1, 0x85));
        verifyNoInteractions(listener);
    }

    @Test
    void answersAnMmioReadWithTheListenersValue() {
        mmio(0xfee00020L, 4, false);
        when(listener.mmioRead(0xfee00020L, 4)).thenReturn(0xcafef00dL);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();

        assertThat(memory.getInt(KvmRun.MMIO_DATA)).isEqualTo(0xcafef00d);
    }

    @Test
    void passesAnMmioWriteToTheListener() {
        mmio(0xd0000000L, 8, true);
        memory.setLong(KvmRun.MMIO_DATA, 0x0102030405060708L);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();

        inOrder(listener).verify(listener).mmioWrite(0xd0000000L, 8, 0x0102030405060708L);
    }

    @Test
    void stopsOnHltAndShutdown() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_HLT);
        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isEqualTo(StopCause.hlt());

        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_SHUTDOWN);
        assertThat(ExitDecoder.decode(run, Set.of(), listener))
                .isEqualTo(StopCause.fault(StopCause.Kind.SHUTDOWN, 0, "triple fault or shutdown"));
    }

    @Test
    void reportsAFailedEntryWithItsReasonAndCpu() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_FAIL_ENTRY);
        memory.setLong(KvmRun.FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON, 0x80000021L);
        memory.setInt(KvmRun.FAIL_ENTRY_CPU, 3);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isEqualTo(StopCause.fault(StopCause.Kind.FAIL_ENTRY,
                0x80000021L, "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x80000021 on cpu 3"));
    }

    @Test
    void reportsAnInternalErrorWithItsSuberrorAndData() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_INTERNAL_ERROR);
        memory.setInt(KvmRun.INTERNAL_SUBERROR, KvmConstants.KVM_INTERNAL_ERROR_EMULATION);
        memory.setInt(KvmRun.INTERNAL_NDATA, 2);
        memory.setLong(KvmRun.INTERNAL_DATA, 0x10);
        memory.setLong(KvmRun.INTERNAL_DATA + 8, 0xffff);

        StopCause stop = ExitDecoder.decode(run, Set.of(), listener);

        assertThat(stop.kind()).isEqualTo(StopCause.Kind.INTERNAL_ERROR);
        assertThat(stop.value()).isEqualTo(1);
        assertThat(stop.detail()).isEqualTo("KVM_EXIT_INTERNAL_ERROR: suberror 1 (KVM_INTERNAL_ERROR_EMULATION:"
                + " the instruction could not be emulated), data [0x10, 0xffff]");
    }

    @Test
    void readsNoMoreInternalDataWordsThanTheStructHolds() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_INTERNAL_ERROR);
        memory.setInt(KvmRun.INTERNAL_NDATA, 1000);

        assertThat(ExitDecoder.decode(run, Set.of(), listener).detail())
                .endsWith("data [" + "0x0, ".repeat(15) + "0x0]");
    }

    @Test
    void anOpenInterruptWindowLetsTheRunGoOnForTheInjection() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_IRQ_WINDOW_OPEN);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();
    }

    @Test
    void reportsEveryOtherExitByItsNameAndMeaningNeverAsUnexpected() {
        for (int reason = 0; reason < 40; reason++) {
            memory.setInt(KvmRun.EXIT_REASON, reason);
            if (Set.of(KvmExitReason.KVM_EXIT_IO, KvmExitReason.KVM_EXIT_MMIO, KvmExitReason.KVM_EXIT_HLT,
                    KvmExitReason.KVM_EXIT_SHUTDOWN, KvmExitReason.KVM_EXIT_FAIL_ENTRY, KvmExitReason.KVM_EXIT_INTERNAL_ERROR,
                    KvmExitReason.KVM_EXIT_SET_TPR, KvmExitReason.KVM_EXIT_X86_RDMSR,
                    KvmExitReason.KVM_EXIT_X86_WRMSR, KvmExitReason.KVM_EXIT_IRQ_WINDOW_OPEN).contains(reason)) {
                continue;
            }
            StopCause stop = ExitDecoder.decode(run, Set.of(), listener);
            assertThat(stop.kind()).isEqualTo(StopCause.Kind.INTERNAL_ERROR);
            assertThat(stop.detail()).doesNotContain("unexpected").matches(reason < 38
                    ? "KVM_EXIT_[A-Z0-9_]+ \\(.+\\).*" : "exit reason " + reason + " \\(newer than .*\\)");
        }
        memory.setInt(KvmRun.EXIT_REASON, 1);
        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isEqualTo(StopCause.fault(
                StopCause.Kind.INTERNAL_ERROR, 0, "KVM_EXIT_EXCEPTION (an exception KVM hands to user space)"));
    }

    @Test
    void namesTheSystemEventAGuestAskedFor() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_SYSTEM_EVENT);
        memory.setInt(KvmRun.SYSTEM_EVENT_TYPE, 2);
        assertThat(ExitDecoder.decode(run, Set.of(), listener).detail())
                .isEqualTo("KVM_EXIT_SYSTEM_EVENT (the guest asked for a system event): KVM_SYSTEM_EVENT_RESET");
    }

    @Test
    void goesOnAfterTheGuestLoweredItsTaskPriority() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_SET_TPR);
        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();
        verifyNoInteractions(listener);
    }

    @Test
    void answersAnRdmsrWithTheListenersValueOrAGeneralProtectionFault() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_X86_RDMSR);
        memory.setInt(KvmRun.MSR_INDEX, 0xc0000103);
        when(listener.msrRead(0xc0000103L)).thenReturn(0x1122334455667788L, (Long) null);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();
        assertThat(memory.getLong(KvmRun.MSR_DATA)).isEqualTo(0x1122334455667788L);
        assertThat(memory.getByte(KvmRun.MSR_ERROR)).isZero();

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();
        assertThat(memory.getByte(KvmRun.MSR_ERROR)).isEqualTo((byte) 1);
    }

    @Test
    void passesAWrmsrToTheListenerAndFaultsWhereItRefuses() {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_X86_WRMSR);
        memory.setInt(KvmRun.MSR_INDEX, 0x12345);
        memory.setLong(KvmRun.MSR_DATA, 0xabcdef);
        when(listener.msrWrite(0x12345, 0xabcdef)).thenReturn(false);

        assertThat(ExitDecoder.decode(run, Set.of(), listener)).isNull();
        assertThat(memory.getByte(KvmRun.MSR_ERROR)).isEqualTo((byte) 1);
    }

    @Test
    void refusesIoDataOutsideTheMapping() {
        io(KvmConstants.KVM_EXIT_IO_OUT, 4, 0x3f8, 2);
        memory.setLong(KvmRun.IO_DATA_OFFSET, MAPPING_SIZE - 4);

        assertThatThrownBy(() -> ExitDecoder.decode(run, Set.of(), listener))
                .isInstanceOf(HypervisorException.class)
                .hasMessageContaining("outside the 12288-byte kvm_run mapping");
    }

    @Test
    void refusesAnMmioLengthThatDoesNotFitItsDataBeforeCallingTheListener() {
        mmio(0xd0000000L, 9, false);

        assertThatThrownBy(() -> ExitDecoder.decode(run, Set.of(), listener))
                .isInstanceOf(HypervisorException.class)
                .hasMessage("KVM_EXIT_MMIO with length 9, expected 1 to 8");
        verifyNoInteractions(listener);
    }

    private void io(int direction, int size, int port, int count) {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_IO);
        memory.setByte(KvmRun.IO_DIRECTION, (byte) direction);
        memory.setByte(KvmRun.IO_SIZE, (byte) size);
        memory.setShort(KvmRun.IO_PORT, (short) port);
        memory.setInt(KvmRun.IO_COUNT, count);
        memory.setLong(KvmRun.IO_DATA_OFFSET, DATA_PAGE);
    }

    private void mmio(long address, int length, boolean write) {
        memory.setInt(KvmRun.EXIT_REASON, KvmExitReason.KVM_EXIT_MMIO);
        memory.setLong(KvmRun.MMIO_PHYS_ADDR, address);
        memory.setInt(KvmRun.MMIO_LEN, length);
        memory.setByte(KvmRun.MMIO_IS_WRITE, (byte) (write ? 1 : 0));
    }
}
