package org.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The Grafana dashboards shipped in {@code deploy/grafana/dashboards}, and the PromQL their panels run. */
final class Dashboards {

    /** One panel query, with where it comes from for messages. */
    record Query(String dashboard, String panel, String expr) {
        /**
         * The expression as Grafana sends it: its variables replaced by what they stand for ({@code $instance} by
         * "any server", the rate window by five minutes).
         */
        String resolved() {
            return expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
                    .replace("$instance", ".*");
        }
    }

    private Dashboards() {
    }

    static List<Path> files() {
        try (Stream<Path> files = Files.list(DeployFiles.path("grafana/dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel, those inside rows included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (Path file : files()) {
            JsonNode dashboard = DeployFiles.json(file);
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(new Query(dashboard.get("title").asText(), panel.get("title").asText(),
                            target.get("expr").asText()));
                }
            }
        }
        return queries;
    }

    /** The metrics the dashboards' variables list their values from ({@code label_values(metric, label)}). */
    static List<String> variableMetrics() {
        List<String> metrics = new ArrayList<>();
        for (Path file : files()) {
            for (JsonNode variable : DeployFiles.json(file).path("templating").path("list")) {
                String query = variable.path("query").path("query").asText(variable.path("query").asText());
                if (query.startsWith("label_values(")) {
                    metrics.add(query.substring("label_values(".length(), query.indexOf(',')).trim());
                }
            }
        }
        return metrics;
    }
}
