package org.vigil.ingest.mqtt;

import java.util.ArrayDeque;

/**
 * Releases acknowledgements in the order the messages arrived, as MQTT requires, even though messages
 * become durable out of order (a fully rejected message needs no write; writes complete in batches).
 * Confined to one connection's event loop: not thread-safe.
 *
 * @param <R> the outcome an acknowledgement carries (an MQTT 5 reason code)
 */
final class AckSequencer<R> {

    /** Sends one acknowledgement. */
    interface Sender<R> {
        void send(int messageId, boolean exactlyOnce, R outcome);
    }

    /** A place in line, handed out by {@link #enqueue}. */
    static final class Ticket<R> {
        private final int messageId;
        private final boolean exactlyOnce;
        private R outcome;
        private boolean done;

        private Ticket(int messageId, boolean exactlyOnce) {
            this.messageId = messageId;
            this.exactlyOnce = exactlyOnce;
        }
    }

    private final ArrayDeque<Ticket<R>> pending = new ArrayDeque<>();
    private final Sender<R> sender;

    AckSequencer(Sender<R> sender) {
        this.sender = sender;
    }

    /** Reserves the next place in line for a QoS 1 ({@code exactlyOnce = false}) or QoS 2 message. */
    Ticket<R> enqueue(int messageId, boolean exactlyOnce) {
        Ticket<R> ticket = new Ticket<>(messageId, exactlyOnce);
        pending.addLast(ticket);
        return ticket;
    }

    /** Marks a message finished and sends every acknowledgement now at the head of the line. */
    void complete(Ticket<R> ticket, R outcome) {
        ticket.outcome = outcome;
        ticket.done = true;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            Ticket<R> head = pending.pollFirst();
            sender.send(head.messageId, head.exactlyOnce, head.outcome);
        }
    }

    /** Messages received and not yet acknowledged. */
    int waiting() {
        return pending.size();
    }
}
