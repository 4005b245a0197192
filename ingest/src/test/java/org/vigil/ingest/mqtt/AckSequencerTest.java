package org.vigil.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AckSequencerTest {

    private final List<String> sent = new ArrayList<>();
    private final AckSequencer<String> acks = new AckSequencer<>((id, exactlyOnce, outcome) ->
            sent.add(id + (exactlyOnce ? "/2" : "/1") + ":" + outcome));

    @Test
    void aLaterMessageFinishedFirstWaitsForTheEarlierOnes() {
        var first = acks.enqueue(1, false);
        var second = acks.enqueue(2, false);
        var third = acks.enqueue(3, true);

        acks.complete(third, "ok");
        acks.complete(second, "invalid");
        assertThat(sent).isEmpty();
        assertThat(acks.waiting()).isEqualTo(3);

        acks.complete(first, "ok");
        assertThat(sent).containsExactly("1/1:ok", "2/1:invalid", "3/2:ok");
        assertThat(acks.waiting()).isZero();
    }

    @Test
    void messagesFinishedInOrderAreAcknowledgedAtOnce() {
        var first = acks.enqueue(10, false);
        acks.complete(first, "ok");
        assertThat(sent).containsExactly("10/1:ok");
    }
}
