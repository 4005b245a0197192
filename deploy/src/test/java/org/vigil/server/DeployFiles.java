package org.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The deployment files shipped under {@code deploy/} (and the repository around them), read as a test sees them. */
final class DeployFiles {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new JsonMapper();

    private DeployFiles() {
    }

    /** The {@code deploy/} module directory: the working directory of its tests. */
    static Path module() {
        Path here = Path.of("").toAbsolutePath();
        if (Files.isDirectory(here.resolve("bin")) && Files.isDirectory(here.resolve("prometheus"))) {
            return here;
        }
        if (Files.isDirectory(here.resolve("deploy/bin"))) {
            return here.resolve("deploy");
        }
        throw new IllegalStateException("run from the repository or the deploy module, not " + here);
    }

    static Path repository() {
        return module().getParent();
    }

    static Path path(String relativeToModule) {
        return module().resolve(relativeToModule);
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> documents = yamlDocuments(file);
        if (documents.size() != 1) {
            throw new IllegalStateException(file + " holds " + documents.size() + " YAML documents, not one");
        }
        return documents.get(0);
    }

    /** Every document of a YAML file (Kubernetes manifests may hold several, separated by ---). */
    static List<JsonNode> yamlDocuments(Path file) {
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            List<JsonNode> documents = new ArrayList<>();
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    documents.add(doc);
                }
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
