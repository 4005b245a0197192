package org.vigil.registry.store;

import static org.vigil.registry.store.Rows.transaction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The registry's write interface for ingest: devices' connection state, last-seen times and the ingest nodes'
 * heartbeats, kept on the registry's device rows and in {@code ingest_node} (V14). Ingest records what its MQTT
 * endpoints see only through this class, never with SQL of its own (docs/architecture.md, "Module
 * boundaries"); others read the state through the {@code registry_device} view. Blocking: call from a worker
 * thread.
 */
public final class DeviceConnectionStore {

    private static final String CONNECTION_STATE = """
            UPDATE device d SET connected = s.connected, connection_changed_at = s.at,
                   connection_node = CASE WHEN s.connected THEN ?::text END,
                   last_seen_at = GREATEST(d.last_seen_at, s.at)
              FROM unnest(?::bigint[], ?::boolean[], ?::timestamptz[]) AS s(id, connected, at)
             WHERE d.id = s.id AND (d.connection_changed_at IS NULL OR d.connection_changed_at <= s.at)
               -- A disconnect seen by one node does not end the connection another node holds now.
               AND (s.connected OR d.connection_node IS NULL OR d.connection_node = ?)""";
    private static final String NODE_HEARTBEAT = "SELECT heartbeat_at FROM ingest_node WHERE id = ? FOR UPDATE";
    private static final String NODE_STARTED = """
            INSERT INTO ingest_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at""";
    private static final String NODE_ALIVE = """
            INSERT INTO ingest_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = GREATEST(ingest_node.heartbeat_at, EXCLUDED.heartbeat_at)""";
    /** The devices a node left marked connected, recorded as disconnected; with each, whose it was then. */
    private static final String RELEASE_NODE = """
            UPDATE device d SET connected = false, connection_node = NULL,
                   connection_changed_at = GREATEST(d.connection_changed_at, ?)
             WHERE d.connected AND d.connection_node = ?
            RETURNING d.id, d.connection_changed_at,
                      (SELECT b.patient_id FROM device_binding b
                        WHERE b.device_id = d.id AND b.valid_from <= d.connection_changed_at
                          AND (b.valid_to IS NULL OR b.valid_to > d.connection_changed_at))""";
    private static final String LAST_SEEN = """
            UPDATE device d SET last_seen_at = s.at
              FROM unnest(?::bigint[], ?::timestamptz[]) AS s(id, at)
             WHERE d.id = s.id AND (d.last_seen_at IS NULL OR d.last_seen_at < s.at)""";

    private final DataSource dataSource;

    public DeviceConnectionStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Records connects and disconnects seen by ingest node {@code node}; an older report never overwrites a newer
     * one, and a disconnect never ends a connection another node holds.
     */
    public void connectionStates(String node, Map<Long, ConnectionState> states) throws SQLException {
        if (states.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CONNECTION_STATE)) {
            List<Long> ids = new ArrayList<>(states.keySet());
            Object[] connected = new Object[ids.size()];
            Object[] at = new Object[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                ConnectionState s = states.get(ids.get(i));
                connected[i] = s.connected();
                at[i] = Timestamp.from(s.at());
            }
            ps.setString(1, node);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
            ps.setArray(3, c.createArrayOf("boolean", connected));
            ps.setArray(4, c.createArrayOf("timestamptz", at));
            ps.setString(5, node);
            ps.executeUpdate();
        }
    }

    /**
     * An ingest node starts, before it accepts connections: the devices it still shows as connected lost that
     * connection when it last stopped (it could not record it, say after SIGKILL). They are recorded as
     * disconnected at the node's last heartbeat, the last moment they were known connected. Devices other nodes
     * hold are left alone.
     *
     * @return the devices now recorded as disconnected
     */
    public List<Released> nodeStarted(String node, Instant now) throws SQLException {
        return transaction(dataSource, c -> {
            Instant lastAlive;
            try (PreparedStatement ps = Rows.bind(c.prepareStatement(NODE_HEARTBEAT), node);
                    ResultSet rs = ps.executeQuery()) {
                lastAlive = rs.next() ? rs.getTimestamp(1).toInstant() : now;
            }
            Rows.update(c, NODE_STARTED, node, now, now);
            return release(c, node, lastAlive.isAfter(now) ? now : lastAlive);
        });
    }

    /** Records that the node is alive at {@code now}. */
    public void nodeAlive(String node, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Rows.update(c, NODE_ALIVE, node, now, now);
        }
    }

    /**
     * An ingest node stopped serving MQTT: whatever it still shows as connected is recorded as disconnected at
     * {@code at} (its close events normally did that already).
     *
     * @return the devices now recorded as disconnected
     */
    public List<Released> nodeStopped(String node, Instant at) throws SQLException {
        return transaction(dataSource, c -> {
            Rows.update(c, NODE_ALIVE, node, at, at);
            return release(c, node, at);
        });
    }

    private static List<Released> release(Connection c, String node, Instant at) throws SQLException {
        List<Released> released = new ArrayList<>();
        try (PreparedStatement ps = Rows.bind(c.prepareStatement(RELEASE_NODE), at, node);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long patient = rs.getLong(3);
                released.add(new Released(rs.getLong(1), rs.wasNull() ? null : patient, rs.getTimestamp(2).toInstant()));
            }
        }
        return released;
    }

    /** Records when devices were last heard from. */
    public void lastSeen(Map<Long, Instant> seen) throws SQLException {
        if (seen.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LAST_SEEN)) {
            List<Long> ids = new ArrayList<>(seen.keySet());
            Object[] at = new Object[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                at[i] = Timestamp.from(seen.get(ids.get(i)));
            }
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            ps.setArray(2, c.createArrayOf("timestamptz", at));
            ps.executeUpdate();
        }
    }

    /** A device's reported connection state and when it changed. */
    public record ConnectionState(boolean connected, Instant at) {
    }

    /**
     * A device recorded as disconnected because the node that held it stopped.
     *
     * @param patientId the patient it was bound to at {@code at}, or {@code null}
     */
    public record Released(long deviceId, Long patientId, Instant at) {
    }
}
