package org.vigil.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RequestTextTest {

    /** The field an invalid body is rejected for. */
    private static String rejected(String json) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> RequestText.checkBody(new JsonObject(json)));
        assertThat(e).as(json).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        return e.field();
    }

    @Test
    void aNulAnywhereInABodyIsRejectedNamingItsPath() {
        assertThat(rejected("{\"name\": \"a\\u0000b\"}")).isEqualTo("name");
        assertThat(rejected("{\"conditions\": [\"diabetes\", \"\\u0000\"]}")).isEqualTo("conditions[1]");
        assertThat(rejected("{\"expected\": [{\"metric\": \"spo2\", \"note\": \"x\\u0000\"}]}")).isEqualTo("expected[0].note");
        assertThat(rejected("{\"a\": {\"b\": [[1, {\"c\": \"\\u0000\"}]]}}")).isEqualTo("a.b[0][1].c");
        assertThat(rejected("{\"thresholds\": {\"a\\u0000b\": []}}")).isEqualTo("thresholds.a\\u0000b");
    }

    @Test
    void aLoneSurrogateIsRejectedAndAPairIsText() {
        assertThat(rejected("{\"name\": \"a\\ud800b\"}")).isEqualTo("name");
        assertThat(rejected("{\"name\": \"a\\udc00\"}")).isEqualTo("name");
        assertThat(rejected("{\"name\": \"\\ud83d\"}")).isEqualTo("name");
        assertThatCode(() -> RequestText.checkBody(new JsonObject("{\"name\": \"\\ud83d\\ude00 \u674e\u534e\", \"n\": 5,"
                + " \"t\": true, \"z\": null, \"a\": [\"\\u0001\\u001f\\u007f\"]}"))).doesNotThrowAnyException();
    }

    @Test
    void printableNamesEscapeOnlyWhatCannotBeStored() {
        assertThat(RequestText.printable("a\u0000b\ud800\ud83d\ude00")).isEqualTo("a\\u0000b\\ud800\ud83d\ude00");
        assertThat(RequestText.storable("")).isTrue();
        assertThat(RequestText.storable("\ud83d\ude00\ud83d")).isFalse();
    }
}
