package org.vigil.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 packets as bytes, for tests that need what no well-behaved client library does on demand: several
 * packets in one TCP write (CONNECT with PUBLISH right behind it, as MQTT allows and Paho may do), or a socket
 * that closes before the server answered.
 */
final class RawMqtt implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;

    RawMqtt(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
    }

    /** Writes all packets in one write call, so they reach the server in one segment. */
    void send(byte[]... packets) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            all.write(p);
        }
        socket.getOutputStream().write(all.toByteArray());
        socket.getOutputStream().flush();
    }

    /** Reads one packet from the server: its type (upper four bits of the first byte) and its body. */
    Packet read() throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(first >> 4, body);
    }

    /** Whether the server closed the connection (end of stream) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                read();
            }
        } catch (java.io.EOFException | java.net.SocketException e) {
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Packet(int type, byte[] body) {
        static final int CONNACK = 2;
        static final int PUBACK = 4;

        int connackCode() {
            return body[1] & 0xFF;
        }

        int messageId() {
            return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        }
    }

    static byte[] connect(String clientId, String user, String password, int keepAliveSeconds) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, "MQTT");
        v.write(4); // protocol level 3.1.1
        v.write(0x80 | 0x40 | 0x02); // username, password, clean session
        v.write(keepAliveSeconds >> 8);
        v.write(keepAliveSeconds & 0xFF);
        string(v, clientId);
        string(v, user);
        string(v, password);
        return packet(0x10, v.toByteArray());
    }

    /** A QoS 1 PUBLISH. */
    static byte[] publish(String topic, int messageId, String payload) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, topic);
        v.write(messageId >> 8);
        v.write(messageId & 0xFF);
        v.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x32, v.toByteArray());
    }

    static byte[] disconnect() {
        return new byte[] {(byte) 0xE0, 0};
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }
}
