package org.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What {@code kubectl apply -k} would apply, worked out from the files without kubectl: the subset of Kustomize the
 * shipped manifests use (resources, directories as bases, strategic-merge patches by kind and name, namespace,
 * metadata labels, images). Every file a kustomization names must exist. Where kubectl is installed,
 * {@link #kubectl} renders the same directory for comparison, so this subset cannot drift from the real thing
 * unnoticed.
 */
final class Kustomize {

    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "PersistentVolume", "StorageClass");
    /** The kustomization fields worked out here; any other stops the test rather than being ignored. */
    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "namespace", "labels",
            "images");

    private Kustomize() {
    }

    /** The objects the kustomization in {@code dir} produces, keyed {@code Kind/name}. */
    static Map<String, JsonNode> build(Path dir) {
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        for (JsonNode object : render(dir)) {
            objects.put(key(object), object);
        }
        return objects;
    }

    /** Every file the kustomization in {@code dir} names, its bases' included. */
    static List<Path> files(Path dir) {
        List<Path> files = new ArrayList<>();
        JsonNode kustomization = kustomization(dir, files);
        for (JsonNode resource : kustomization.path("resources")) {
            Path path = dir.resolve(resource.asText()).normalize();
            if (Files.isDirectory(path)) {
                files.addAll(files(path));
            } else {
                files.add(path);
            }
        }
        kustomization.path("patches").forEach(p -> files.add(dir.resolve(p.get("path").asText()).normalize()));
        return files;
    }

    static String key(JsonNode object) {
        return object.get("kind").asText() + "/" + object.get("metadata").get("name").asText();
    }

    /** {@code kubectl kustomize dir}, or nothing when kubectl is not installed. */
    static Optional<Map<String, JsonNode>> kubectl(Path dir) throws IOException, InterruptedException {
        Path kubectl = null;
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "kubectl");
            if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                kubectl = candidate;
                break;
            }
        }
        if (kubectl == null) {
            return Optional.empty();
        }
        Path out = Files.createTempFile("kustomize", ".yaml");
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: exit " + p.exitValue());
            }
            Map<String, JsonNode> objects = new LinkedHashMap<>();
            for (JsonNode object : DeployFiles.yamlDocuments(out)) {
                objects.put(key(object), object);
            }
            return Optional.of(objects);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * The object with lists of named items (containers, env, ports, volumes...) sorted by name, so that two
     * renderings that differ only in the order Kustomize merged such items compare equal.
     */
    static JsonNode normalised(JsonNode node) {
        JsonNode copy = node.deepCopy();
        sortNamedLists(copy);
        return copy;
    }

    private static List<JsonNode> render(Path dir) {
        JsonNode kustomization = kustomization(dir, new ArrayList<>());
        List<JsonNode> objects = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path path = dir.resolve(resource.asText()).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(render(path));
            } else {
                require(path, dir);
                for (JsonNode doc : DeployFiles.yamlDocuments(path)) {
                    objects.add(doc.deepCopy());
                }
            }
        }
        for (JsonNode entry : kustomization.path("patches")) {
            Path path = dir.resolve(entry.get("path").asText()).normalize();
            require(path, dir);
            JsonNode patch = DeployFiles.yaml(path);
            JsonNode target = objects.stream().filter(o -> key(o).equals(key(patch))).findFirst()
                    .orElseThrow(() -> new AssertionError(path + " patches " + key(patch) + ", which " + dir
                            + " does not have"));
            merge((ObjectNode) target, patch);
        }
        if (kustomization.has("namespace")) {
            for (JsonNode object : objects) {
                if (!CLUSTER_SCOPED.contains(object.get("kind").asText())) {
                    ((ObjectNode) object.get("metadata")).put("namespace", kustomization.get("namespace").asText());
                }
            }
        }
        for (JsonNode labels : kustomization.path("labels")) {
            if (labels.path("includeSelectors").asBoolean(false) || labels.path("includeTemplates").asBoolean(false)) {
                throw new AssertionError(dir + ": labels on selectors or templates are not worked out here");
            }
            for (JsonNode object : objects) {
                ObjectNode metadata = (ObjectNode) object.get("metadata");
                ObjectNode target = metadata.has("labels") ? (ObjectNode) metadata.get("labels")
                        : metadata.putObject("labels");
                labels.get("pairs").fields().forEachRemaining(e -> target.set(e.getKey(), e.getValue()));
            }
        }
        for (JsonNode image : kustomization.path("images")) {
            for (JsonNode object : objects) {
                JsonNode spec = object.path("spec").path("template").path("spec");
                for (JsonNode container : spec.path("containers")) {
                    if (container.path("image").asText().equals(image.get("name").asText())) {
                        ((ObjectNode) container).put("image",
                                image.get("newName").asText() + ":" + image.get("newTag").asText());
                    }
                }
            }
        }
        return objects;
    }

    private static JsonNode kustomization(Path dir, List<Path> files) {
        Path file = dir.resolve("kustomization.yaml");
        require(file, dir);
        files.add(file.normalize());
        JsonNode kustomization = DeployFiles.yaml(file);
        for (Iterator<String> it = kustomization.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new AssertionError(file + ": '" + field + "' is not worked out by this test's Kustomize subset");
            }
        }
        return kustomization;
    }

    private static void require(Path file, Path dir) {
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(dir + " refers to " + file + ", which does not exist");
        }
    }

    /**
     * Kubernetes' strategic merge as far as the manifests use it: maps merge, null removes a field, lists of
     * named items merge by name, other lists are replaced.
     */
    static void merge(ObjectNode target, JsonNode patch) {
        patch.fields().forEachRemaining(e -> {
            String field = e.getKey();
            JsonNode value = e.getValue();
            JsonNode existing = target.get(field);
            if (value.isNull()) {
                target.remove(field);
            } else if (existing instanceof ObjectNode object && value.isObject()) {
                if (field.equals("strategy") && value.has("type")) {
                    // Deployment strategy retains only the keys the patch names (retainKeys).
                    target.set(field, value.deepCopy());
                } else {
                    merge(object, value);
                }
            } else if (existing instanceof ArrayNode list && value.isArray() && named(value)) {
                for (JsonNode item : value) {
                    JsonNode match = null;
                    for (JsonNode old : list) {
                        if (old.path("name").asText().equals(item.get("name").asText())) {
                            match = old;
                        }
                    }
                    if (match instanceof ObjectNode old) {
                        merge(old, item);
                    } else {
                        list.add(item.deepCopy());
                    }
                }
            } else {
                target.set(field, value.deepCopy());
            }
        });
    }

    private static boolean named(JsonNode list) {
        if (list.isEmpty()) {
            return false;
        }
        for (JsonNode item : list) {
            if (!item.isObject() || !item.has("name")) {
                return false;
            }
        }
        return true;
    }

    private static void sortNamedLists(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> fields = new ArrayList<>();
            object.fieldNames().forEachRemaining(fields::add);
            for (String field : fields) {
                JsonNode value = object.get(field);
                sortNamedLists(value);
                if (value instanceof ArrayNode list && named(list)) {
                    Map<String, JsonNode> byName = new TreeMap<>();
                    list.forEach(item -> byName.put(item.get("name").asText(), item));
                    ArrayNode sorted = object.putArray(field);
                    byName.values().forEach(sorted::add);
                }
            }
        } else if (node instanceof ArrayNode list) {
            list.forEach(Kustomize::sortNamedLists);
        }
    }
}
