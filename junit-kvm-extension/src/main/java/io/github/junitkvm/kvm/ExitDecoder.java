package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.StopCause;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns the exit that {@code KVM_RUN} left in {@code kvm_run} into listener calls (writing the
 * answers of reads back for the next {@code KVM_RUN} to complete the instruction) or into the
 * {@link StopCause} that ends the run.
 */
final class ExitDecoder {
    private ExitDecoder() {
    }

    /**
     * @param run the exit to decode
     * @param stopPorts ports whose {@code OUT} stops the run
     * @param listener receives the exits that do not stop the run
     * @return why the run stops, or {@code null} to enter the guest again
     */
    static StopCause decode(KvmRun run, Set<Integer> stopPorts, ExitListener listener) {
        int reason = run.exitReason();
        switch (reason) {
            case KvmExitReason.KVM_EXIT_IO:
                return io(run, stopPorts, listener);
            case KvmExitReason.KVM_EXIT_MMIO:
                mmio(run, listener);
                return null;
            case KvmExitReason.KVM_EXIT_IRQ_WINDOW_OPEN:
                return null; // the run loop injects the interrupt it asked the window for
            case KvmExitReason.KVM_EXIT_HLT:
                return StopCause.hlt();
            case KvmExitReason.KVM_EXIT_SHUTDOWN:
                return StopCause.fault(StopCause.Kind.SHUTDOWN, 0, "triple fault or shutdown");
            case KvmExitReason.KVM_EXIT_FAIL_ENTRY:
                return failEntry(run);
            case KvmExitReason.KVM_EXIT_INTERNAL_ERROR:
                return internalError(run);
            case KvmExitReason.KVM_EXIT_SET_TPR:
                // KVM has put the new priority in CR8 already; it only tells a VMM with its own
                // local APIC that a pending interrupt may now be deliverable. The guest goes on.
                return null;
            case KvmExitReason.KVM_EXIT_X86_RDMSR:
                Long read = listener.msrRead(run.msrIndex());
                run.setMsrError(read == null);
                run.setMsrData(read == null ? 0 : read);
                return null;
            case KvmExitReason.KVM_EXIT_X86_WRMSR:
                run.setMsrError(!listener.msrWrite(run.msrIndex(), run.msrData()));
                return null;
            case KvmExitReason.KVM_EXIT_SYSTEM_EVENT:
                return StopCause.fault(StopCause.Kind.INTERNAL_ERROR, 0, KvmExitReason.describe(reason) + ": "
                        + KvmExitReason.systemEvent(run.systemEventType()));
            default:
                // No sub-error exists for an exit the backend does not handle: the code is 0 and
                // the detail names the exit and what it means.
                return StopCause.fault(StopCause.Kind.INTERNAL_ERROR, 0, KvmExitReason.describe(reason));
        }
    }

    private static StopCause io(KvmRun run, Set<Integer> stopPorts, ExitListener listener) {
        int port = run.ioPort();
        int size = run.ioSize();
        int count = run.ioCount();
        if (run.ioDirection() == KvmConstants.KVM_EXIT_IO_OUT) {
            // A string OUT to a stop port stops on its first element: the run ends there anyway.
            if (stopPorts.contains(port)) {
                return StopCause.stopPort(port, size, run.ioData(0));
            }
            for (int i = 0; i < count; i++) {
                listener.portOut(port, size, run.ioData(i));
            }
        } else {
            for (int i = 0; i < count; i++) {
                run.setIoData(i, listener.portIn(port, size));
            }
        }
        return null;
    }

    private static void mmio(KvmRun run, ExitListener listener) {
        long address = run.mmioPhysAddr();
        int length = run.mmioLen();
        if (run.mmioIsWrite()) {
            listener.mmioWrite(address, length, run.mmioData());
        } else {
            run.setMmioData(listener.mmioRead(address, length));
        }
    }

    private static StopCause failEntry(KvmRun run) {
        long reason = run.failEntryHardwareEntryFailureReason();
        return StopCause.fault(StopCause.Kind.FAIL_ENTRY, reason, String.format(Locale.ROOT,
                "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x%x on cpu %d",
                reason, run.failEntryCpu()));
    }

    private static StopCause internalError(KvmRun run) {
        int suberror = run.internalSuberror();
        String data = Arrays.stream(run.internalData())
                .mapToObj(word -> String.format(Locale.ROOT, "0x%x", word))
                .collect(Collectors.joining(", ", "[", "]"));
        return StopCause.fault(StopCause.Kind.INTERNAL_ERROR, suberror,
                "KVM_EXIT_INTERNAL_ERROR: suberror " + suberror + " (" + suberrorName(suberror)
                        + "), data " + data);
    }

    private static String suberrorName(int suberror) {
        switch (suberror) {
            case KvmConstants.KVM_INTERNAL_ERROR_EMULATION:
                return "KVM_INTERNAL_ERROR_EMULATION: the instruction could not be emulated";
            case KvmConstants.KVM_INTERNAL_ERROR_SIMUL_EX:
                return "KVM_INTERNAL_ERROR_SIMUL_EX: an exception occurred while delivering another";
            case KvmConstants.KVM_INTERNAL_ERROR_DELIVERY_EV:
                return "KVM_INTERNAL_ERROR_DELIVERY_EV: an event could not be delivered";
            case KvmConstants.KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
                return "KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON";
            default:
                return "unknown";
        }
    }
}
