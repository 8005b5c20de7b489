package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.emulator.protocol.ExitCall;
import io.github.junitkvm.emulator.protocol.ExitCall.MmioRead;
import io.github.junitkvm.emulator.protocol.ExitCall.MmioWrite;
import io.github.junitkvm.emulator.protocol.ExitCall.MsrRead;
import io.github.junitkvm.emulator.protocol.ExitCall.MsrWrite;
import io.github.junitkvm.emulator.protocol.ExitCall.ObservedPorts;
import io.github.junitkvm.emulator.protocol.ExitCall.PortIn;
import io.github.junitkvm.emulator.protocol.ExitCall.PortOut;
import io.github.junitkvm.emulator.protocol.ExitCall.RoutedMsrs;
import io.github.junitkvm.emulator.protocol.MachineCall;
import io.github.junitkvm.emulator.protocol.MachineCall.Reset;
import io.github.junitkvm.emulator.protocol.MachineCall.Run;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Exit;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.Reply;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.Set;
import java.util.concurrent.BlockingQueue;

/**
 * The engine thread: serves the parent's {@link MachineCall}s, in order, on the one machine the
 * worker hosts, whatever the call. A call the machine refuses gets {@link Failed}; the worker goes
 * on.
 *
 * <p>A run's exits go back to the parent as {@link ExitCall}s of its listener. At an exit the guest
 * waits at, the server serves the parent's calls nested inside the run (a handler reading
 * registers, writing memory) until the exit's reply comes; {@code OUT}s to ports no handler
 * observes are streamed, without a reply.
 */
final class MachineServer implements Runnable {
    private final UnicornLibrary uc;
    private final ParentLink parent;
    private final StopSwitch stopSwitch;
    private final BlockingQueue<Message> requests;
    private UnicornEngine engine;

    /**
     * @param uc the loaded library
     * @param parent where replies and exits go
     * @param stopSwitch delivers stop requests to runs
     * @param requests the parent's messages but stops, in the order it sent them
     */
    MachineServer(UnicornLibrary uc, ParentLink parent, StopSwitch stopSwitch, BlockingQueue<Message> requests) {
        this.uc = uc;
        this.parent = parent;
        this.stopSwitch = stopSwitch;
        this.requests = requests;
    }

    @Override
    public void run() {
        try {
            while (true) {
                parent.reply(serve(requests.take()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Message serve(Message message) {
        try {
            return new Reply(execute(message));
        } catch (HypervisorException | UnicornException | IllegalStateException e) {
            return new Failed(e.getMessage());
        } catch (RuntimeException e) {
            // A bug rather than a refusal; the parent still deserves an answer it can show.
            return new Failed("the emulator worker failed: " + e);
        }
    }

    private Object execute(Message message) {
        if (message instanceof Create create) {
            if (engine != null) {
                throw new IllegalStateException("this emulator worker already hosts a machine");
            }
            engine = UnicornEngine.open(uc, create.config(), stopSwitch);
            return null;
        }
        if (message instanceof Destroy) {
            if (engine != null) {
                engine.close();
                engine = null;
            }
            return null;
        }
        if (message instanceof Request request) {
            if (engine == null) {
                throw new IllegalStateException("this emulator worker hosts no machine");
            }
            return request.call().invoke(engine, new Exits());
        }
        throw new IllegalStateException("the emulator worker does not accept " + message);
    }

    /** The parent's listener, as the engine's run sees it: one per call, so one per run. */
    private final class Exits implements ExitListener {
        /** The ports the parent observes, asked for at the run's first {@code OUT}. */
        private Set<Integer> observed;

        @Override
        public Set<Integer> observedPorts() {
            if (observed == null) {
                observed = await(new ObservedPorts());
            }
            return observed;
        }

        @Override
        public long portIn(int port, int size) {
            return await(new PortIn(port, size));
        }

        @Override
        public void portOut(int port, int size, long value) {
            if (observedPorts().contains(port)) {
                await(new PortOut(port, size, value));
            } else {
                parent.stream(new Exit(new PortOut(port, size, value), false));
            }
        }

        @Override
        public long mmioRead(long address, int size) {
            return await(new MmioRead(address, size));
        }

        @Override
        public void mmioWrite(long address, int size, long value) {
            await(new MmioWrite(address, size, value));
        }

        @Override
        public Set<Long> routedMsrs() {
            return await(new RoutedMsrs());
        }

        @Override
        public Long msrRead(long index) {
            return await(new MsrRead(index));
        }

        @Override
        public boolean msrWrite(long index, long value) {
            return await(new MsrWrite(index, value));
        }

        /**
         * Sends an exit and serves the parent's messages until its reply comes: the engine thread is
         * inside the run's hook, so every call finds the machine as it stands at the exit.
         */
        @SuppressWarnings("unchecked")
        private <R> R await(ExitCall<R> exit) {
            parent.reply(new Exit(exit, true));
            try {
                while (true) {
                    Message message = requests.take();
                    if (message instanceof Reply reply) {
                        return (R) reply.value();
                    }
                    parent.reply(changesTheMachine(message)
                            ? new Failed("the emulator worker cannot serve " + message + " while the guest waits at an exit")
                            : serve(message));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the parent's reply", e);
            }
        }

        private static boolean changesTheMachine(Message message) {
            return message instanceof Create || message instanceof Destroy || message instanceof Request request
                    && (request.call() instanceof Run || request.call() instanceof Reset);
        }
    }
}
