package org.vigil.common.bus;

import io.vertx.core.eventbus.MessageCodec;
import java.util.Objects;

/**
 * A codec for an immutable message type: locally the object itself is handed over, as it cannot change; subclasses
 * say how it crosses the wire.
 */
abstract class LocalObjectCodec<T> implements MessageCodec<T, T> {

    private final String name;

    LocalObjectCodec(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public final T transform(T message) {
        return message;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final byte systemCodecID() {
        return -1;
    }
}
