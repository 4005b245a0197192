package org.vigil.simulator.scenario;

import java.util.function.BiConsumer;

/**
 * Splits a Server-Sent Events stream into events, as chunks arrive (a chunk may end mid-line). Handles
 * {@code event:} and {@code data:} fields (several data lines join with newlines), comments, and CR/LF line
 * ends; other fields are ignored. Not thread-safe: one per stream.
 */
final class SseParser {

    private final BiConsumer<String, String> onEvent;
    private final StringBuilder line = new StringBuilder();
    private final StringBuilder data = new StringBuilder();
    private String event;
    private boolean hasData;
    private boolean lastWasCr;
    private boolean sawAnything;

    /** @param onEvent receives each event's name ({@code message} when none was given) and data */
    SseParser(BiConsumer<String, String> onEvent) {
        this.onEvent = onEvent;
    }

    /** Whether anything (a comment included) arrived yet: the feed is live. */
    boolean live() {
        return sawAnything;
    }

    void feed(CharSequence chunk) {
        sawAnything = true;
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (c == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = c == '\r';
            if (c == '\n' || c == '\r') {
                endLine();
            } else {
                line.append(c);
            }
        }
    }

    private void endLine() {
        if (line.isEmpty()) {
            if (hasData) {
                onEvent.accept(event == null ? "message" : event, data.toString());
            }
            event = null;
            data.setLength(0);
            hasData = false;
            return;
        }
        String l = line.toString();
        line.setLength(0);
        if (l.startsWith(":")) {
            return;
        }
        int colon = l.indexOf(':');
        String field = colon < 0 ? l : l.substring(0, colon);
        String value = colon < 0 ? "" : l.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("event")) {
            event = value;
        } else if (field.equals("data")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
    }
}
