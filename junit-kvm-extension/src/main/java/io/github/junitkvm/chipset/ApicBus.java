package io.github.junitkvm.chipset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The wire between the local APICs of a machine's vCPUs, one per vCPU in the order of their
 * indexes, over which an ICR write reaches its destinations: the fixed and lowest-priority
 * messages go to the destination APICs (a lowest-priority one to the addressed APIC of lowest
 * processor priority, the lowest APIC ID among equals), NMI, INIT and start-up messages to the
 * destination processors through the {@link ProcessorSignals}.
 */
final class ApicBus {
    private final List<LocalApic> apics = new ArrayList<>();
    private final ProcessorSignals processors;

    /** @param processors where the messages for the processors themselves go */
    ApicBus(ProcessorSignals processors) {
        this.processors = processors;
    }

    /** Attaches the APIC of the next vCPU, whose index is the number attached before it. */
    void attach(LocalApic apic) {
        apics.add(apic);
    }

    /** Delivers {@code message} from {@code sender} to every APIC it is for; one for no APIC vanishes, as on xAPIC. */
    void send(LocalApic sender, InterruptMessage message) {
        List<Integer> addressed = new ArrayList<>();
        for (int vcpu = 0; vcpu < apics.size(); vcpu++) {
            LocalApic apic = apics.get(vcpu);
            boolean self = apic == sender;
            boolean isDestination = switch (message.shorthand()) {
                case InterruptMessage.SELF -> self;
                case InterruptMessage.ALL -> true;
                case InterruptMessage.ALL_BUT_SELF -> !self;
                default -> apic.isDestination(message.destination(), message.logical());
            };
            if (isDestination) {
                addressed.add(vcpu);
            }
        }
        if (message.deliveryMode() == InterruptMessage.LOWEST_PRIORITY && !addressed.isEmpty()) {
            addressed = List.of(addressed.stream()
                    .min(Comparator.comparingInt((Integer vcpu) -> apics.get(vcpu).processorPriorityClass())).get());
        }
        addressed.forEach(vcpu -> deliver(vcpu, apics.get(vcpu), message));
    }

    private void deliver(int vcpu, LocalApic apic, InterruptMessage message) {
        switch (message.deliveryMode()) {
            case InterruptMessage.NMI -> processors.nmi(vcpu);
            case InterruptMessage.INIT -> {
                if (!message.deassert()) {
                    processors.init(vcpu);
                }
            }
            case InterruptMessage.START_UP -> processors.startUp(vcpu, message.vector());
            default -> apic.receive(message);
        }
    }
}
