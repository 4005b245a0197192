package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.vigil.common.testing.Poll;

/**
 * How the API answers while its database is down: 503 {@code unavailable} with {@code Retry-After}, as the API
 * description promises for the operation asked. For the outage tests, which are where a real one can be seen.
 */
final class UnavailableAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than a request waits for a pooled connection ({@code VIGIL_DB_CONNECT_TIMEOUT}, 5 s) a few times over. */
    private static final Duration SEEN_WITHIN = Duration.ofSeconds(30);

    private UnavailableAnswer() {
    }

    /**
     * Asks {@code GET path} (under {@code /api/v1}) until it is not answered 200 (connections the pool holds may
     * still reach a backend of a killed server for a moment), then checks that answer is the documented 503.
     */
    static void await(ApiClient api, String path) throws Exception {
        HttpResponse<String> r = Poll.latest(SEEN_WITHIN, () -> api.send("GET", path, null),
                response -> response.statusCode() != 200);
        check(api, "GET", path, r);
    }

    /** Checks that {@code r}, the answer to {@code method path} while the database is down, is the documented 503. */
    static void check(ApiClient api, String method, String path, HttpResponse<String> r) throws Exception {
        String where = method + " " + path + " → " + r.statusCode() + " " + r.body();
        assertThat(r.statusCode()).as(where).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).as(where).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).as(where).isEqualTo("unavailable");
        assertThat(body.path("message").asText()).as(where).contains("database");

        ApiDescription description = ApiDescription.parse(api.send("GET", "/api/v1/openapi.yaml", null).body());
        ApiDescription.Operation op = description.operation(method, path.replaceFirst("\\?.*", "")).orElseThrow(
                () -> new AssertionError(where + ": no operation in the description"));
        JsonNode declared = description.response(op, 503).orElseThrow(
                () -> new AssertionError(where + ": 503 not listed for " + op.node().path("operationId").asText()));
        assertThat(declared.path("headers").has("Retry-After")).as(where + ": Retry-After described").isTrue();
        assertThat(description.violations(declared.path("content").path("application/json").path("schema"), body))
                .as(where).isEmpty();
    }
}
