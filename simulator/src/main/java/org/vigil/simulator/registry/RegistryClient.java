package org.vigil.simulator.registry;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vigil.simulator.SimulatorException;

/**
 * The few Vigil REST calls the simulator makes, blocking (from provisioning threads, never from an event
 * loop): create a resource, list a collection page by page, get one. Errors become
 * {@link SimulatorException}s naming the request and, where it helps, the option to check.
 */
public final class RegistryClient implements AutoCloseable {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final int PAGE = 500;

    private final String base;
    private final String token;
    private final HttpClient http;

    /**
     * @param api    API base URL, e.g. {@code http://127.0.0.1:8080}
     * @param token  admin bearer token
     */
    public RegistryClient(URI api, String token) {
        String url = api.toString();
        this.base = (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/api/v1";
        this.token = Objects.requireNonNull(token, "token");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** POSTs JSON to a collection and returns the created resource; anything but 201 is an error. */
    public JsonObject create(String collection, JsonObject body) throws InterruptedException {
        return write("POST", collection, body, 201);
    }

    /** PUTs JSON to a resource and returns it as stored; anything but 200 is an error. */
    public JsonObject put(String path, JsonObject body) throws InterruptedException {
        return write("PUT", path, body, 200);
    }

    /** Every item of a collection, following the {@code next} cursor; {@code query} filters (may be empty). */
    public List<JsonObject> list(String collection, Map<String, String> query) throws InterruptedException {
        List<JsonObject> items = new ArrayList<>();
        String after = null;
        do {
            StringBuilder url = new StringBuilder(base).append('/').append(collection).append("?limit=").append(PAGE);
            query.forEach((k, v) -> url.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            if (after != null) {
                url.append(collection.equals("alerts") ? "&before=" : "&after=").append(after);
            }
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url.toString())).GET(), "GET");
            if (response.statusCode() != 200) {
                throw failure("GET", response);
            }
            JsonObject page = json("GET", response);
            JsonArray array = page.getJsonArray("items", new JsonArray());
            for (int i = 0; i < array.size(); i++) {
                items.add(array.getJsonObject(i));
            }
            Object next = page.getValue("next");
            after = next == null || array.isEmpty() ? null : next.toString();
        } while (after != null);
        return items;
    }

    /** The API base, e.g. {@code http://127.0.0.1:8080/api/v1}. */
    public String base() {
        return base;
    }

    @Override
    public void close() {
        http.close();
    }

    private JsonObject write(String method, String path, JsonObject body, int expected) throws InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/" + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).header("Content-Type", "application/json"), method);
        if (response.statusCode() != expected) {
            throw failure(method, response);
        }
        return json(method, response);
    }

    private HttpResponse<String> send(HttpRequest.Builder builder, String method) throws InterruptedException {
        HttpRequest request = builder.timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new SimulatorException("cannot reach the Vigil API at " + request.uri() + " (check --api): connection refused", e);
        } catch (HttpTimeoutException e) {
            throw new SimulatorException(method + " " + request.uri() + " timed out after " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new SimulatorException(method + " " + request.uri() + " failed: " + e, e);
        }
    }

    private static SimulatorException failure(String method, HttpResponse<String> response) {
        int status = response.statusCode();
        String hint = status == 401 || status == 403 ? " (check --token)" : "";
        return new SimulatorException(method + " " + response.uri() + " answered " + status + hint + ": " + response.body());
    }

    private static JsonObject json(String method, HttpResponse<String> response) {
        try {
            return new JsonObject(response.body());
        } catch (DecodeException e) {
            throw new SimulatorException(method + " " + response.uri() + " answered with a body that is not JSON: " + response.body(), e);
        }
    }
}
