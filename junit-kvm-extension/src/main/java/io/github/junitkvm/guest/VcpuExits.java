package io.github.junitkvm.guest;

import io.github.junitkvm.backend.ExitListener;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The listener of one vCPU of several: names the vCPU before each exit goes on to the run's one
 * {@link ExitRecorder}, so that the exit is recorded as that vCPU's and the handlers it reaches
 * see that vCPU's registers.
 */
final class VcpuExits implements ExitListener {
    private final int vcpu;
    private final ExitListener recorder;
    private final IntConsumer atExit;

    /**
     * @param vcpu the vCPU's index
     * @param recorder the run's listener
     * @param atExit told the vCPU's index before each exit reaches the recorder
     */
    VcpuExits(int vcpu, ExitListener recorder, IntConsumer atExit) {
        this.vcpu = vcpu;
        this.recorder = recorder;
        this.atExit = atExit;
    }

    @Override
    public Set<Integer> observedPorts() {
        return recorder.observedPorts();
    }

    @Override
    public long portIn(int port, int size) {
        atExit.accept(vcpu);
        return recorder.portIn(port, size);
    }

    @Override
    public void portOut(int port, int size, long value) {
        atExit.accept(vcpu);
        recorder.portOut(port, size, value);
    }

    @Override
    public long mmioRead(long address, int size) {
        atExit.accept(vcpu);
        return recorder.mmioRead(address, size);
    }

    @Override
    public void mmioWrite(long address, int size, long value) {
        atExit.accept(vcpu);
        recorder.mmioWrite(address, size, value);
    }

    @Override
    public int acknowledgeInterrupt() {
        atExit.accept(vcpu);
        return recorder.acknowledgeInterrupt();
    }

    @Override
    public Set<Long> routedMsrs() {
        return recorder.routedMsrs();
    }

    @Override
    public Long msrRead(long index) {
        atExit.accept(vcpu);
        return recorder.msrRead(index);
    }

    @Override
    public boolean msrWrite(long index, long value) {
        atExit.accept(vcpu);
        return recorder.msrWrite(index, value);
    }
}
