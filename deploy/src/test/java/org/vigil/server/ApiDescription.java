package org.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An OpenAPI 3.0 document as the tests read it: its operations with the full paths they are served at, and a
 * small checker of JSON values against its schemas. The checker covers what the description uses ({@code $ref}
 * within the document, {@code allOf}, {@code oneOf}, types, {@code nullable}, {@code enum}, {@code required},
 * bounds, {@code pattern}, {@code date-time}) and is stricter than OpenAPI in one way: an object schema that
 * declares {@code properties} and says nothing of {@code additionalProperties} is closed, so a field the server
 * sends but the description does not name is reported.
 */
final class ApiDescription {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    /** One operation: its HTTP method (upper case), path template as written, full path as served, and node. */
    record Operation(String method, String path, String fullPath, JsonNode node) {

        String key() {
            return method + " " + fullPath;
        }
    }

    private final JsonNode root;
    private final List<Operation> operations = new ArrayList<>();

    private ApiDescription(JsonNode root) {
        this.root = root;
        String defaultServer = server(root);
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            // A path item may name its own server (/health and /metrics sit outside /api/v1).
            String server = path.getValue().has("servers") ? server(path.getValue()) : defaultServer;
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (METHODS.contains(op.getKey())) {
                    operations.add(new Operation(op.getKey().toUpperCase(), path.getKey(), server + path.getKey(),
                            op.getValue()));
                }
            }
        }
    }

    static ApiDescription parse(String yaml) throws IOException {
        return new ApiDescription(new ObjectMapper(new YAMLFactory()).readTree(yaml));
    }

    JsonNode root() {
        return root;
    }

    List<Operation> operations() {
        return operations;
    }

    /** The operation serving this method and concrete path (without query), if the description has one. */
    Optional<Operation> operation(String method, String concretePath) {
        List<Operation> matches = operations.stream()
                .filter(op -> op.method().equals(method) && template(op.fullPath()).matcher(concretePath).matches())
                .toList();
        if (matches.size() > 1) {
            throw new AssertionError(method + " " + concretePath + " matches several operations: " + matches.stream()
                    .map(Operation::key).toList());
        }
        return matches.stream().findFirst();
    }

    /** The response object the operation declares for this status, {@code $ref} resolved. */
    Optional<JsonNode> response(Operation op, int status) {
        JsonNode response = op.node().path("responses").get(String.valueOf(status));
        return response == null ? Optional.empty() : Optional.of(resolve(response));
    }

    /** Every {@code $ref} in the document that does not point at a node of it. */
    List<String> unresolvedRefs() {
        List<String> missing = new ArrayList<>();
        collectRefs(root, missing);
        return missing;
    }

    /** Follows {@code $ref} (a JSON pointer into this document) until the node is not a reference. */
    JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new AssertionError("only references within the document are supported: " + ref);
            }
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new AssertionError("unresolved reference " + ref);
            }
            node = target;
        }
        return node;
    }

    /** What in {@code value} the schema does not allow, each as a sentence naming the place; empty when it fits. */
    List<String> violations(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(flatten(schema), value, "$", out);
        return out;
    }

    private void check(Flat s, JsonNode value, String where, List<String> out) {
        if (value.isNull()) {
            if (!s.nullable) {
                out.add(where + " is null, which the description does not allow");
            }
            return;
        }
        if (!s.oneOf.isEmpty() && s.oneOf.stream().noneMatch(alt -> violations(alt, value).isEmpty())) {
            out.add(where + " fits none of its alternatives");
        }
        if (s.type != null && !hasType(value, s.type)) {
            out.add(where + " should be " + s.type + " but is " + value);
            return;
        }
        if (!s.enumValues.isEmpty() && !s.enumValues.contains(value)) {
            out.add(where + " is " + value + ", not one of " + s.enumValues);
        }
        if (value.isNumber()) {
            if (s.minimum != null && value.decimalValue().compareTo(s.minimum.decimalValue()) < 0) {
                out.add(where + " is " + value + ", below the minimum " + s.minimum);
            }
            if (s.maximum != null && value.decimalValue().compareTo(s.maximum.decimalValue()) > 0) {
                out.add(where + " is " + value + ", above the maximum " + s.maximum);
            }
        }
        if (value.isTextual()) {
            if (s.pattern != null && !Pattern.compile(s.pattern).matcher(value.asText()).find()) {
                out.add(where + " is \"" + value.asText() + "\", which does not match " + s.pattern);
            }
            if ("date-time".equals(s.format)) {
                try {
                    OffsetDateTime.parse(value.asText());
                } catch (DateTimeParseException e) {
                    out.add(where + " is \"" + value.asText() + "\", not an RFC 3339 date-time");
                }
            }
        }
        if (value.isArray()) {
            if (s.minItems != null && value.size() < s.minItems) {
                out.add(where + " has " + value.size() + " items, fewer than " + s.minItems);
            }
            if (s.items != null) {
                Flat items = flatten(s.items);
                for (int i = 0; i < value.size(); i++) {
                    check(items, value.get(i), where + "[" + i + "]", out);
                }
            }
        }
        if (value.isObject()) {
            for (String name : s.required) {
                if (!value.has(name)) {
                    out.add(where + " lacks the required property " + name);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String at = where + "." + field.getKey();
                JsonNode declared = s.properties.get(field.getKey());
                if (declared != null) {
                    check(flatten(declared), field.getValue(), at, out);
                } else if (s.additional != null && s.additional.isObject()) {
                    check(flatten(s.additional), field.getValue(), at, out);
                } else if (s.additional != null ? !s.additional.asBoolean() : !s.properties.isEmpty()) {
                    out.add(at + " is not in the description");
                }
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> throw new AssertionError("unknown schema type " + type);
        };
    }

    /** A schema with its references followed and its {@code allOf} parts merged into one. */
    private static final class Flat {
        String type;
        String format;
        String pattern;
        boolean nullable;
        JsonNode minimum;
        JsonNode maximum;
        Integer minItems;
        JsonNode items;
        JsonNode additional;
        final List<JsonNode> enumValues = new ArrayList<>();
        final Set<String> required = new LinkedHashSet<>();
        final Map<String, JsonNode> properties = new LinkedHashMap<>();
        final List<JsonNode> oneOf = new ArrayList<>();
    }

    private Flat flatten(JsonNode schema) {
        Flat flat = new Flat();
        merge(flat, schema);
        return flat;
    }

    private void merge(Flat flat, JsonNode schema) {
        JsonNode s = resolve(schema);
        for (JsonNode part : s.path("allOf")) {
            merge(flat, part);
        }
        s.path("oneOf").forEach(flat.oneOf::add);
        if (s.has("type")) {
            flat.type = s.get("type").asText();
        }
        if (s.has("format")) {
            flat.format = s.get("format").asText();
        }
        if (s.has("pattern")) {
            flat.pattern = s.get("pattern").asText();
        }
        flat.nullable |= s.path("nullable").asBoolean(false);
        if (s.has("minimum")) {
            flat.minimum = s.get("minimum");
        }
        if (s.has("maximum")) {
            flat.maximum = s.get("maximum");
        }
        if (s.has("minItems")) {
            flat.minItems = s.get("minItems").asInt();
        }
        if (s.has("items")) {
            flat.items = s.get("items");
        }
        if (s.has("additionalProperties")) {
            flat.additional = s.get("additionalProperties");
        }
        s.path("enum").forEach(flat.enumValues::add);
        s.path("required").forEach(r -> flat.required.add(r.asText()));
        s.path("properties").fields().forEachRemaining(p -> flat.properties.put(p.getKey(), p.getValue()));
    }

    private void collectRefs(JsonNode node, List<String> missing) {
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/") || root.at(ref.substring(1)).isMissingNode()) {
                missing.add(ref);
            }
        }
        for (JsonNode child : node) {
            collectRefs(child, missing);
        }
    }

    private static String server(JsonNode node) {
        String url = node.path("servers").path(0).path("url").asText("");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** {@code /patients/{id}} as a pattern matching {@code /patients/17}. */
    private static Pattern template(String path) {
        StringBuilder regex = new StringBuilder();
        for (String part : path.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
