package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.emulator.protocol.ExitCall;
import io.github.junitkvm.emulator.protocol.ExitCall.AcknowledgeInterrupt;
import io.github.junitkvm.emulator.protocol.ExitCall.MmioRead;
import io.github.junitkvm.emulator.protocol.ExitCall.MmioWrite;
import io.github.junitkvm.emulator.protocol.ExitCall.MsrRead;
import io.github.junitkvm.emulator.protocol.ExitCall.MsrWrite;
import io.github.junitkvm.emulator.protocol.ExitCall.PortIn;
import io.github.junitkvm.emulator.protocol.ExitCall.PortOut;
import io.github.junitkvm.emulator.protocol.ExitInterest;
import io.github.junitkvm.emulator.protocol.MachineCall;
import io.github.junitkvm.emulator.protocol.MachineCall.Reset;
import io.github.junitkvm.emulator.protocol.MachineCall.Run;
import io.github.junitkvm.emulator.protocol.MachineState;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Exit;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.Post;
import io.github.junitkvm.emulator.protocol.Message.Reply;
import io.github.junitkvm.emulator.protocol.Message.ReplyWithState;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The engine thread: serves the parent's {@link MachineCall}s, in order, on the one machine the
 * worker hosts, whatever the call. A call the machine refuses gets {@link Failed}; the worker goes
 * on. A {@link Post}ed call gets no reply; its failure is the reply to the next request, and the
 * posts in between are skipped.
 *
 * <p>A run's exits go back to the parent as {@link ExitCall}s of its listener. At an exit the guest
 * waits at, the server serves the parent's calls nested inside the run (a handler reading
 * registers, writing memory) until the exit's reply comes; {@code OUT}s to ports no handler
 * observes are streamed, without a reply. Which ports are observed comes with the run
 * ({@link ExitInterest}).
 *
 * <p>While no message waits, the server closes the engines of destroyed machines and opens a
 * spare one for the next ({@link EngineReserve}).
 */
final class MachineServer implements Runnable {
    private final UnicornLibrary uc;
    private final ParentLink parent;
    private final StopSwitch stopSwitch;
    private final VcpuLines lines;
    private final Inbox requests;
    private final EngineReserve reserve;
    private VirtualMachine engine;
    private MachineConfig engineConfig;
    /** A {@link Post} that failed, to be the answer to the next {@link Request}; null if none. */
    private Failed failedPost;

    /**
     * @param uc the loaded library
     * @param parent where replies and exits go
     * @param stopSwitch delivers stop requests to runs
     * @param lines each vCPU's interrupt inputs, which the parent's messages set
     * @param requests the parent's messages but stops and interrupt inputs, in the order it sent them
     */
    MachineServer(UnicornLibrary uc, ParentLink parent, StopSwitch stopSwitch, VcpuLines lines,
                  Inbox requests) {
        this.uc = uc;
        this.parent = parent;
        this.stopSwitch = stopSwitch;
        this.lines = lines;
        this.requests = requests;
        this.reserve = new EngineReserve(this::open);
    }

    @Override
    public void run() {
        try {
            while (true) {
                // Opening and closing engines while the parent has nothing for the worker.
                while (reserve.hasWorkAhead() && !requests.waiting()) {
                    reserve.workAhead();
                }
                Message reply = serve(requests.next());
                requests.served();
                if (reply != null) {
                    parent.reply(reply);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the reply; null for a message that gets none */
    private Message serve(Message message) {
        if (message instanceof Destroy) {
            failedPost = null;
            if (engine != null) {
                reserve.destroyed(engine, engineConfig);
                engine = null;
            }
            lines.reset();
            return null;
        }
        if (message instanceof Post post) {
            if (failedPost == null && attempt(() -> call(post.call())) instanceof Failed failed) {
                failedPost = failed;
            }
            return null;
        }
        if (failedPost != null) {
            Failed failed = failedPost;
            failedPost = null;
            return failed;
        }
        return attempt(() -> execute(message));
    }

    /** @return the reply to a call: its result, or why it failed */
    private static Message attempt(Supplier<Message> call) {
        try {
            return call.get();
        } catch (HypervisorException | UnicornException | IllegalStateException e) {
            return new Failed(e.getMessage());
        } catch (RuntimeException e) {
            // A bug rather than a refusal; the parent still deserves an answer it can show.
            return new Failed("the emulator worker failed: " + e);
        }
    }

    private Message execute(Message message) {
        if (message instanceof Create create) {
            if (engine != null) {
                throw new IllegalStateException("this emulator worker already hosts a machine");
            }
            engine = reserve.open(create.config());
            engineConfig = create.config();
            return new ReplyWithState(null, state());
        }
        if (message instanceof Request request) {
            return call(request.call());
        }
        throw new IllegalStateException("the emulator worker does not accept " + message);
    }

    private VirtualMachine open(MachineConfig config) {
        return config.vcpus() == 1 ? UnicornEngine.open(uc, config, stopSwitch, lines.of(0))
                : UnicornVcpus.open(config, (vcpu, ram) -> UnicornEngine.open(uc, config, vcpu, stopSwitch,
                        lines.of(vcpu), ram));
    }

    private Message call(MachineCall<?> call) {
        if (engine == null) {
            throw new IllegalStateException("this emulator worker hosts no machine");
        }
        if (call instanceof Reset) {
            VirtualMachine spare = reserve.takeSpare(engineConfig);
            if (spare != null) {
                // A reset machine is a new engine of the same configuration, which the spare is.
                reserve.destroyed(engine, engineConfig);
                engine = spare;
                lines.reset();
                return new ReplyWithState(null, state());
            }
        }
        Object value = call.invoke(engine, Exits::new);
        return call.reportsState() ? new ReplyWithState(value, state()) : new Reply(value);
    }

    private MachineState state() {
        return new MachineState(engine.registers(), engine.specialRegisters());
    }

    /** The parent's listener of one vCPU, as the engine's run sees it: one per vCPU and call, so per run. */
    private final class Exits implements ExitListener {
        private final int vcpu;
        private final ExitInterest interest;

        Exits(int vcpu, ExitInterest interest) {
            this.vcpu = vcpu;
            this.interest = interest;
        }

        @Override
        public Set<Integer> observedPorts() {
            return interest.observedPorts();
        }

        @Override
        public long portIn(int port, int size) {
            return await(new PortIn(port, size));
        }

        @Override
        public void portOut(int port, int size, long value) {
            if (interest.observedPorts().contains(port)) {
                await(new PortOut(port, size, value));
            } else {
                parent.stream(new Exit(vcpu, new PortOut(port, size, value), false));
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
        public int acknowledgeInterrupt() {
            return await(new AcknowledgeInterrupt());
        }

        @Override
        public Set<Long> routedMsrs() {
            return interest.routedMsrs();
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
            parent.reply(new Exit(vcpu, exit, true));
            try {
                while (true) {
                    Message message = requests.next();
                    if (message instanceof Reply reply) {
                        return (R) reply.value();
                    }
                    Message answer = !changesTheMachine(message) ? serve(message)
                            // A Destroy here comes from a parent that gave up on the run: it gets no reply.
                            : message instanceof Destroy ? null
                            : new Failed("the emulator worker cannot serve " + message + " while the guest waits at an exit");
                    if (answer != null) {
                        parent.reply(answer);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the parent's reply", e);
            }
        }

        private static boolean changesTheMachine(Message message) {
            MachineCall<?> call = message instanceof Request request ? request.call()
                    : message instanceof Post post ? post.call() : null;
            return message instanceof Create || message instanceof Destroy || call instanceof Run || call instanceof Reset;
        }
    }
}
