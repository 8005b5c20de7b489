package io.github.junitkvm.chipset;

import java.util.ArrayList;
import java.util.List;

/**
 * The wire between the local APICs of a machine's vCPUs, over which an ICR write reaches its
 * destinations. A machine with one vCPU has one APIC on it; more vCPUs add theirs, and the start-up
 * modes (INIT, SIPI) are theirs to serve.
 */
final class ApicBus {
    private final List<LocalApic> apics = new ArrayList<>();

    void attach(LocalApic apic) {
        apics.add(apic);
    }

    /** Delivers {@code message} from {@code sender} to every APIC it is for; one for no APIC vanishes, as on xAPIC. */
    void send(LocalApic sender, InterruptMessage message) {
        for (LocalApic apic : apics) {
            boolean self = apic == sender;
            boolean addressed = switch (message.shorthand()) {
                case InterruptMessage.SELF -> self;
                case InterruptMessage.ALL -> true;
                case InterruptMessage.ALL_BUT_SELF -> !self;
                default -> apic.isDestination(message.destination(), message.logical());
            };
            if (addressed) {
                apic.receive(message);
            }
        }
    }
}
