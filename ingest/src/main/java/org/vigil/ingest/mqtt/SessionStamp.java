package org.vigil.ingest.mqtt;

import java.util.Objects;

/**
 * When and where a device's session was accepted, which orders the sessions of one device across nodes.
 *
 * <p>Sessions are ordered by their acceptance time, then by id, so that two nodes comparing the same two sessions
 * agree on the newer one even when both were accepted in the same millisecond: of any set of sessions of a device,
 * exactly one is newer than all others, and that one survives. The times come from different nodes' clocks, so
 * the order is true only while the clocks agree more closely than a device takes to reconnect (NTP does that).
 *
 * @param node        the node that accepted it ({@code VIGIL_NODE_ID})
 * @param id          unique to this session among all sessions of all nodes
 * @param connectedAt when it was accepted, in epoch milliseconds
 */
record SessionStamp(String node, String id, long connectedAt) {

    SessionStamp {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(id, "id");
    }

    /** Whether this session was accepted after {@code other}. */
    boolean newerThan(SessionStamp other) {
        return connectedAt != other.connectedAt ? connectedAt > other.connectedAt : id.compareTo(other.id) > 0;
    }
}
