package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.backend.ExitListener;

/**
 * A call of an {@link ExitListener} method, as it travels from the worker's run to the parent's
 * listener: one record per method.
 *
 * @param <R> what the method returns ({@link Void} for none)
 */
public sealed interface ExitCall<R> {
    /**
     * @param listener the listener to call
     * @return what the method returned
     */
    R invoke(ExitListener listener);

    /** @return the answer the guest gets when the parent abandons the run at this exit */
    R fallback();

    /**
     * {@link ExitListener#portIn}.
     *
     * @param port the port
     * @param size 1, 2 or 4
     */
    record PortIn(int port, int size) implements ExitCall<Long> {
        @Override
        public Long fallback() {
            return 0L;
        }

        @Override
        public Long invoke(ExitListener listener) {
            return listener.portIn(port, size);
        }
    }

    /**
     * {@link ExitListener#portOut}.
     *
     * @param port the port
     * @param size 1, 2 or 4
     * @param value the value written
     */
    record PortOut(int port, int size, long value) implements ExitCall<Void> {
        @Override
        public Void fallback() {
            return null;
        }

        @Override
        public Void invoke(ExitListener listener) {
            listener.portOut(port, size, value);
            return null;
        }
    }

    /**
     * {@link ExitListener#mmioRead}.
     *
     * @param address guest physical address
     * @param size access size in bytes
     */
    record MmioRead(long address, int size) implements ExitCall<Long> {
        @Override
        public Long fallback() {
            return 0L;
        }

        @Override
        public Long invoke(ExitListener listener) {
            return listener.mmioRead(address, size);
        }
    }

    /**
     * {@link ExitListener#mmioWrite}.
     *
     * @param address guest physical address
     * @param size access size in bytes
     * @param value the value written
     */
    record MmioWrite(long address, int size, long value) implements ExitCall<Void> {
        @Override
        public Void fallback() {
            return null;
        }

        @Override
        public Void invoke(ExitListener listener) {
            listener.mmioWrite(address, size, value);
            return null;
        }
    }

    /** {@link ExitListener#acknowledgeInterrupt}: the vCPU takes the interrupt its line requests. */
    record AcknowledgeInterrupt() implements ExitCall<Integer> {
        /** An abandoned run delivers nothing. */
        @Override
        public Integer fallback() {
            return -1;
        }

        @Override
        public Integer invoke(ExitListener listener) {
            return listener.acknowledgeInterrupt();
        }
    }

    /**
     * {@link ExitListener#msrRead}.
     *
     * @param index the MSR
     */
    record MsrRead(long index) implements ExitCall<Long> {
        @Override
        public Long fallback() {
            return 0L;
        }

        @Override
        public Long invoke(ExitListener listener) {
            return listener.msrRead(index);
        }
    }

    /**
     * {@link ExitListener#msrWrite}.
     *
     * @param index the MSR
     * @param value the value written
     */
    record MsrWrite(long index, long value) implements ExitCall<Boolean> {
        @Override
        public Boolean fallback() {
            return true;
        }

        @Override
        public Boolean invoke(ExitListener listener) {
            return listener.msrWrite(index, value);
        }
    }
}
