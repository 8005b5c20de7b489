package io.github.junitkvm.emulator.worker;

/**
 * An exception the CPU raises while delivering another one: a gate, descriptor, TSS or stack it
 * cannot use, or a page of them the guest's tables do not map.
 */
final class DeliveryFault extends Exception {
    private static final long serialVersionUID = 1L;
    /** {@link #pageFaultAddress()} of a fault other than #PF. */
    private static final long NO_ADDRESS = -1;

    private final int vector;
    private final int errorCode;
    private final long pageFaultAddress;
    private final boolean inTheNewTask;

    /**
     * @param vector the exception raised
     * @param errorCode its error code
     * @param reason what was wrong, in words, for a shutdown's description
     */
    DeliveryFault(int vector, int errorCode, String reason) {
        this(vector, errorCode, NO_ADDRESS, reason);
    }

    private DeliveryFault(int vector, int errorCode, long pageFaultAddress, String reason) {
        this(vector, errorCode, pageFaultAddress, reason, false);
    }

    private DeliveryFault(int vector, int errorCode, long pageFaultAddress, String reason, boolean inTheNewTask) {
        super(reason, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
        this.pageFaultAddress = pageFaultAddress;
        this.inTheNewTask = inTheNewTask;
    }

    /**
     * @return this fault, met after a task switch committed (loading the new task's segments): the
     *     delivery is over, and the fault is the new task's, as if its first instruction raised it
     */
    DeliveryFault inTheNewTask() {
        return new DeliveryFault(vector, errorCode, pageFaultAddress, getMessage(), true);
    }

    /** @return whether it is the new task's after a task switch ({@link #inTheNewTask()}) */
    boolean isInTheNewTask() {
        return inTheNewTask;
    }

    /**
     * @param linear the address the guest's tables refused, which the CPU puts in CR2
     * @param errorCode the page fault's error code (P, W/R, U/S)
     * @param reason what was wrong, in words
     * @return the page fault
     */
    static DeliveryFault pageFault(long linear, int errorCode, String reason) {
        return new DeliveryFault(CpuExceptions.PAGE_FAULT, errorCode, linear, reason);
    }

    /** @return the exception raised */
    int vector() {
        return vector;
    }

    /** @return its error code */
    int errorCode() {
        return errorCode;
    }

    /** @return whether it is a page fault, whose address goes into CR2 */
    boolean isPageFault() {
        return pageFaultAddress != NO_ADDRESS;
    }

    /** @return the linear address of a page fault, for CR2 */
    long pageFaultAddress() {
        return pageFaultAddress;
    }
}
