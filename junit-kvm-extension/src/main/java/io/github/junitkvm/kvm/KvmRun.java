package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;
import io.github.junitkvm.backend.HypervisorException;

/**
 * A view of a vCPU's {@code struct kvm_run}, the page KVM shares with user space to report exits.
 * The struct is a header followed by a union with one member per exit reason; its fields are read
 * at their offsets rather than through a JNA structure, which would have to model the union.
 *
 * <p>The view does not own the memory: the machine maps it and unmaps it only when no run is in
 * progress.
 */
final class KvmRun {
    static final int REQUEST_INTERRUPT_WINDOW = 0;
    static final int IMMEDIATE_EXIT = 1;
    static final int EXIT_REASON = 8;
    static final int READY_FOR_INTERRUPT_INJECTION = 12;
    static final int IF_FLAG = 13;

    /** The offset of the anonymous union of per-exit data. */
    static final int EXIT_DATA = 32;

    static final int IO_DIRECTION = EXIT_DATA;
    static final int IO_SIZE = EXIT_DATA + 1;
    static final int IO_PORT = EXIT_DATA + 2;
    static final int IO_COUNT = EXIT_DATA + 4;
    static final int IO_DATA_OFFSET = EXIT_DATA + 8;

    static final int MMIO_PHYS_ADDR = EXIT_DATA;
    static final int MMIO_DATA = EXIT_DATA + 8;
    static final int MMIO_LEN = EXIT_DATA + 16;
    static final int MMIO_IS_WRITE = EXIT_DATA + 20;
    static final int MMIO_DATA_SIZE = 8;

    static final int DEBUG_EXCEPTION = EXIT_DATA;
    static final int DEBUG_PC = EXIT_DATA + 8;

    static final int FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON = EXIT_DATA;
    static final int FAIL_ENTRY_CPU = EXIT_DATA + 8;

    static final int INTERNAL_SUBERROR = EXIT_DATA;
    static final int INTERNAL_NDATA = EXIT_DATA + 4;
    static final int INTERNAL_DATA = EXIT_DATA + 8;
    static final int INTERNAL_DATA_WORDS = 16;

    static final int SYSTEM_EVENT_TYPE = EXIT_DATA;

    static final int MSR_ERROR = EXIT_DATA;
    static final int MSR_REASON = EXIT_DATA + 8;
    static final int MSR_INDEX = EXIT_DATA + 12;
    static final int MSR_DATA = EXIT_DATA + 16;

    private final Pointer run;
    private final long size;

    /**
     * @param run the start of the struct
     * @param size the size of the mapping ({@code KVM_GET_VCPU_MMAP_SIZE}), which also holds the
     *     data of string I/O
     */
    KvmRun(Pointer run, long size) {
        this.run = run;
        this.size = size;
    }

    /** @param exit whether the next {@code KVM_RUN} returns {@code EINTR} at once */
    void setImmediateExit(boolean exit) {
        run.setByte(IMMEDIATE_EXIT, (byte) (exit ? 1 : 0));
    }

    /** @param request whether KVM_RUN returns {@code KVM_EXIT_IRQ_WINDOW_OPEN} once the vCPU can take an interrupt */
    void setRequestInterruptWindow(boolean request) {
        run.setByte(REQUEST_INTERRUPT_WINDOW, (byte) (request ? 1 : 0));
    }

    /**
     * @return whether, at the last exit, the vCPU could take an interrupt injected before the next
     *     {@code KVM_RUN}: RFLAGS.IF set ({@code if_flag}), no interrupt shadow and none pending
     *     ({@code ready_for_interrupt_injection})
     */
    boolean interruptible() {
        return run.getByte(READY_FOR_INTERRUPT_INJECTION) != 0 && run.getByte(IF_FLAG) != 0;
    }

    int exitReason() {
        return run.getInt(EXIT_REASON);
    }

    int ioDirection() {
        return run.getByte(IO_DIRECTION) & 0xff;
    }

    int ioSize() {
        return run.getByte(IO_SIZE) & 0xff;
    }

    int ioPort() {
        return run.getShort(IO_PORT) & 0xffff;
    }

    int ioCount() {
        return run.getInt(IO_COUNT);
    }

    /**
     * @param element the index of the element of a string I/O, 0 for a plain one
     * @return its value
     */
    long ioData(int element) {
        return getLittleEndian(ioElementOffset(element), ioSize());
    }

    /**
     * @param element the index of the element of a string I/O, 0 for a plain one
     * @param value the value the guest reads for it
     */
    void setIoData(int element, long value) {
        setLittleEndian(ioElementOffset(element), ioSize(), value);
    }

    long mmioPhysAddr() {
        return run.getLong(MMIO_PHYS_ADDR);
    }

    /** @return the access size, checked to fit {@code mmio.data} */
    int mmioLen() {
        int length = run.getInt(MMIO_LEN);
        if (length < 1 || length > MMIO_DATA_SIZE) {
            throw new HypervisorException("KVM_EXIT_MMIO with length " + length + ", expected 1 to 8");
        }
        return length;
    }

    boolean mmioIsWrite() {
        return run.getByte(MMIO_IS_WRITE) != 0;
    }

    long mmioData() {
        return getLittleEndian(MMIO_DATA, mmioLen());
    }

    /** @param value the value the guest reads */
    void setMmioData(long value) {
        setLittleEndian(MMIO_DATA, mmioLen(), value);
    }

    /** @return the vector of the exception behind a {@code KVM_EXIT_DEBUG} */
    int debugException() {
        return run.getInt(DEBUG_EXCEPTION);
    }

    /** @return the linear address of the next instruction, after a {@code KVM_EXIT_DEBUG} */
    long debugPc() {
        return run.getLong(DEBUG_PC);
    }

    long failEntryHardwareEntryFailureReason() {
        return run.getLong(FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON);
    }

    int failEntryCpu() {
        return run.getInt(FAIL_ENTRY_CPU);
    }

    int internalSuberror() {
        return run.getInt(INTERNAL_SUBERROR);
    }

    /** @return the valid data words, at most the 16 the struct has room for */
    long[] internalData() {
        int count = Math.max(0, Math.min(run.getInt(INTERNAL_NDATA), INTERNAL_DATA_WORDS));
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
            data[i] = run.getLong(INTERNAL_DATA + 8L * i);
        }
        return data;
    }

    int systemEventType() {
        return run.getInt(SYSTEM_EVENT_TYPE);
    }

    /** @return the MSR of a {@code KVM_EXIT_X86_RDMSR} or {@code WRMSR}, an unsigned 32-bit index */
    long msrIndex() {
        return run.getInt(MSR_INDEX) & 0xffffffffL;
    }

    /** @return the value a {@code KVM_EXIT_X86_WRMSR} writes */
    long msrData() {
        return run.getLong(MSR_DATA);
    }

    /** @param value what the guest's {@code RDMSR} reads, in EDX:EAX */
    void setMsrData(long value) {
        run.setLong(MSR_DATA, value);
    }

    /** @param fault whether the guest's {@code RDMSR} or {@code WRMSR} raises #GP instead */
    void setMsrError(boolean fault) {
        run.setByte(MSR_ERROR, (byte) (fault ? 1 : 0));
    }

    // The kernel sets data_offset and count, but a wrong value here would read or write outside
    // the mapping and crash the JVM, so it is checked.
    private long ioElementOffset(int element) {
        long offset = run.getLong(IO_DATA_OFFSET) + (long) element * ioSize();
        if (offset < 0 || offset + ioSize() > size || ioSize() > Long.BYTES) {
            throw new HypervisorException("KVM_EXIT_IO data of element " + element + " at offset " + offset
                    + ", size " + ioSize() + " lies outside the " + size + "-byte kvm_run mapping");
        }
        return offset;
    }

    private long getLittleEndian(long offset, int length) {
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = (value << 8) | (run.getByte(offset + i) & 0xff);
        }
        return value;
    }

    private void setLittleEndian(long offset, int length, long value) {
        for (int i = 0; i < length; i++) {
            run.setByte(offset + i, (byte) (value >>> (8 * i)));
        }
    }
}
