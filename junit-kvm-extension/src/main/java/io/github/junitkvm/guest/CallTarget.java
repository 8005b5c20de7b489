package io.github.junitkvm.guest;

import io.github.junitkvm.CallResult;
import io.github.junitkvm.GuestFunction;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link GuestFunction} of one VM: its name, address and time limit, called through the VM's
 * {@link GuestCalls}.
 */
final class CallTarget implements GuestFunction {
    private final GuestCalls calls;
    private final String name;
    private final long address;
    private final Duration timeout;

    CallTarget(GuestCalls calls, String name, long address, Duration timeout) {
        this.calls = calls;
        this.name = name;
        this.address = address;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public GuestFunction withTimeout(Duration limit) {
        Objects.requireNonNull(limit, "timeout");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("call timeout " + limit + " is not positive");
        }
        return new CallTarget(calls, name, address, limit);
    }

    @Override
    public CallResult call(long... arguments) {
        return calls.call(this, arguments.clone());
    }

    @Override
    public String toString() {
        return String.format("%s at 0x%x", name, address);
    }
}
