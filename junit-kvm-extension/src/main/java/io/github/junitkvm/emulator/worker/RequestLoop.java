package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Done;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.GetRegisters;
import io.github.junitkvm.emulator.protocol.Message.GetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.MemoryContent;
import io.github.junitkvm.emulator.protocol.Message.ReadMemory;
import io.github.junitkvm.emulator.protocol.Message.RegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Reset;
import io.github.junitkvm.emulator.protocol.Message.Run;
import io.github.junitkvm.emulator.protocol.Message.SetRegisters;
import io.github.junitkvm.emulator.protocol.Message.SetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.SpecialRegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Stopped;
import io.github.junitkvm.emulator.protocol.Message.WriteMemory;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.concurrent.BlockingQueue;

/**
 * The engine thread: executes the parent's requests in order against the one machine the worker
 * hosts, and answers each. A request the machine refuses gets {@link Failed}; the worker goes on.
 */
final class RequestLoop implements Runnable {
    private final UnicornLibrary uc;
    private final ParentLink parent;
    private final StopSwitch stopSwitch;
    private final BlockingQueue<Message> requests;
    private UnicornEngine engine;
    /** The configuration {@link #engine} was created with. */
    private MachineConfig config;

    /**
     * @param uc the loaded library
     * @param parent where replies and exits go
     * @param stopSwitch delivers stop requests to runs
     * @param requests the requests, in the order the parent sent them
     */
    RequestLoop(UnicornLibrary uc, ParentLink parent, StopSwitch stopSwitch, BlockingQueue<Message> requests) {
        this.uc = uc;
        this.parent = parent;
        this.stopSwitch = stopSwitch;
        this.requests = requests;
    }

    @Override
    public void run() {
        try {
            while (true) {
                Message request = requests.take();
                Message reply;
                try {
                    reply = execute(request);
                } catch (HypervisorException | UnicornException | IllegalStateException e) {
                    reply = new Failed(e.getMessage());
                } catch (RuntimeException e) {
                    // A bug rather than a refusal; the parent still deserves an answer it can show.
                    reply = new Failed("the emulator worker failed: " + e);
                }
                parent.reply(reply);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Message execute(Message request) {
        if (request instanceof Create create) {
            if (engine != null) {
                throw new IllegalStateException("this emulator worker already hosts a machine");
            }
            engine = UnicornEngine.open(uc, create.config(), parent);
            config = create.config();
            return new Done();
        }
        if (request instanceof Reset) {
            // A new engine is new by construction: no CPU field, cached translation or memory
            // mapping of the old one can survive, which restoring a saved context could not promise.
            machine().close();
            engine = null;
            engine = UnicornEngine.open(uc, config, parent);
            return new Done();
        }
        if (request instanceof Destroy) {
            if (engine != null) {
                engine.close();
                engine = null;
            }
            return new Done();
        }
        UnicornEngine machine = machine();
        if (request instanceof ReadMemory read) {
            return new MemoryContent(machine.readMemory(read.address(), read.length()));
        }
        if (request instanceof WriteMemory write) {
            machine.writeMemory(write.address(), write.data());
            return new Done();
        }
        if (request instanceof GetRegisters) {
            return new RegistersContent(machine.registers());
        }
        if (request instanceof SetRegisters set) {
            machine.setRegisters(set.registers());
            return new Done();
        }
        if (request instanceof GetSpecialRegisters) {
            return new SpecialRegistersContent(machine.specialRegisters());
        }
        if (request instanceof SetSpecialRegisters set) {
            machine.setSpecialRegisters(set.registers());
            return new Done();
        }
        if (request instanceof Run run) {
            StopCause cause = machine.run(run.stopPorts(), stopSwitch);
            return new Stopped(cause, machine.lastRunTrace());
        }
        throw new IllegalStateException("the emulator worker does not accept " + request);
    }

    private UnicornEngine machine() {
        if (engine == null) {
            throw new IllegalStateException("this emulator worker hosts no machine");
        }
        return engine;
    }
}
