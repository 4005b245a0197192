package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * The deployment files (image, compose, Kubernetes, systemd, Grafana) parse, set only configuration keys the
 * server reads with values it accepts, and refer to one another consistently. Nothing here needs Docker, a
 * cluster or Grafana; what needs a running server and Prometheus is in {@code MonitoringIT}.
 */
@Timeout(60)
class DeploymentFilesTest {

    private static final Pattern VIGIL_KEY = Pattern.compile("\\bVIGIL_[A-Z0-9_]*[A-Z0-9]");
    private static final Pattern COMPOSE_VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)");
    /** Where settings are written for operators to copy: every VIGIL_ word there must be a real key. */
    private static final List<String> SCANNED = List.of("container", "compose", "kubernetes", "systemd", "bin",
            "prometheus", "grafana", "../docs/operations.md");

    @TempDir
    Path temp;

    @Test
    void theKeysAreReadFromTheConfigurationClasses() {
        // Guards the checks below against a scan that finds nothing and so accepts nothing wrong.
        assertThat(ConfigKeys.all()).contains("VIGIL_DB_URL", "VIGIL_ROLES", "VIGIL_MQTT_TLS_CERT", "VIGIL_CONFIG_FILE",
                "VIGIL_WEBHOOK_POLL", "VIGIL_REGISTRY_CACHE_SIZE", "VIGIL_LOG_LEVEL").doesNotContain("VIGIL_ALERT_RULES_FILE");
        assertThat(ConfigKeys.all()).hasSizeGreaterThan(40);
    }

    @Test
    void everyVigilKeyNamedInTheDeploymentFilesAndOperationsGuideIsARealKey() throws IOException {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        int files = 0;
        for (String place : SCANNED) {
            Path root = DeployFiles.path(place);
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    files++;
                    Matcher m = VIGIL_KEY.matcher(DeployFiles.text(file));
                    while (m.find()) {
                        if (!ConfigKeys.all().contains(m.group())) {
                            unknown.computeIfAbsent(DeployFiles.module().relativize(file).toString(), k -> new TreeSet<>())
                                    .add(m.group());
                        }
                    }
                }
            }
        }
        assertThat(files).isGreaterThan(20);
        assertThat(unknown).as("VIGIL_ words that are no configuration key").isEmpty();
    }

    @Test
    void theClusterOverrideAddsKafkaAndASecondNodeOfRealKeys() {
        JsonNode services = DeployFiles.yaml(DeployFiles.path("compose").resolve("compose.cluster.yaml")).get("services");
        assertThat(fieldNames(services)).contains("kafka", "vigil", "vigil-2");
        Map<String, String> node1 = strings(services.get("vigil").get("environment"));
        Map<String, String> node2 = strings(services.get("vigil-2").get("environment"));
        assertRealKeysWithAcceptedValues(node1, "compose cluster vigil");
        assertRealKeysWithAcceptedValues(node2, "compose cluster vigil-2");
        assertThat(node1.get("VIGIL_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092")
                .isEqualTo(node2.get("VIGIL_KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(node1.get("VIGIL_NODE_ID")).as("two nodes, two names").isNotEqualTo(node2.get("VIGIL_NODE_ID"));
        assertThat(services.get("kafka").get("image").asText()).as("the broker of the client's version line")
                .isEqualTo("apache/kafka:4.3.1");
        // Prometheus scrapes every node, at the port each serves inside the network, under the rules' job name.
        JsonNode base = DeployFiles.yaml(DeployFiles.path("compose").resolve("compose.yaml")).get("services");
        String target = mountTarget(base.get("prometheus"), "../prometheus/prometheus.yml");
        assertThat(mountTarget(services.get("prometheus"), "../prometheus/prometheus.cluster.yml"))
                .as("replaces the single-node configuration").isEqualTo(target);
        JsonNode scrape = DeployFiles.yaml(DeployFiles.path("prometheus/prometheus.cluster.yml"))
                .get("scrape_configs").get(0);
        assertThat(scrape.get("job_name").asText()).isEqualTo("vigil");
        List<String> targets = new ArrayList<>();
        scrape.get("static_configs").get(0).get("targets").forEach(t -> targets.add(t.asText()));
        assertThat(targets).containsExactlyInAnyOrder("vigil:8080", "vigil-2:8080");
    }

    @Test
    void composeGivesVigilRealKeysWithValuesTheServerAccepts() {
        Path dir = DeployFiles.path("compose");
        JsonNode compose = DeployFiles.yaml(dir.resolve("compose.yaml"));
        JsonNode services = compose.get("services");
        assertThat(fieldNames(services)).contains("timescaledb", "vigil", "prometheus", "alertmanager", "grafana");

        Map<String, String> env = strings(services.get("vigil").get("environment"));
        assertThat(env).containsKeys("VIGIL_DB_URL", "VIGIL_DB_PASSWORD", "VIGIL_ADMIN_TOKEN");
        assertRealKeysWithAcceptedValues(env, "compose vigil");

        // The same password for the database and for Vigil, both from .env; every variable explained there.
        assertThat(services.get("timescaledb").get("environment").get("POSTGRES_PASSWORD").asText())
                .isEqualTo(env.get("VIGIL_DB_PASSWORD"));
        Set<String> variables = new TreeSet<>();
        Matcher m = COMPOSE_VARIABLE.matcher(DeployFiles.text(dir.resolve("compose.yaml")));
        while (m.find()) {
            variables.add(m.group(1));
        }
        assertThat(variables).isNotEmpty();
        String example = DeployFiles.text(dir.resolve("env.example"));
        for (String variable : variables) {
            assertThat(example).as("env.example explains " + variable).containsPattern("(?m)^" + variable + "=");
        }

        // Every file or directory mounted from the repository exists, and the image builds from its Dockerfile.
        for (String service : fieldNames(services)) {
            for (JsonNode volume : services.get(service).path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(dir.resolve(source).normalize()).as(service + " mounts " + source).exists();
                }
            }
        }
        JsonNode build = services.get("vigil").get("build");
        assertThat(dir.resolve(build.get("context").asText()).resolve(build.get("dockerfile").asText()).normalize())
                .isEqualTo(DeployFiles.path("container/Dockerfile"));
        assertThat(services.get("vigil").get("stop_grace_period").asText()).isEqualTo("45s");

        // Grafana reads its dashboards where the provisioning file says, and Prometheus loads the rules.
        String dashboardsTarget = mountTarget(services.get("grafana"), "../grafana/dashboards");
        JsonNode provider = DeployFiles.yaml(DeployFiles.path("grafana/provisioning/dashboards/vigil.yml"))
                .get("providers").get(0);
        assertThat(provider.get("options").get("path").asText()).isEqualTo(dashboardsTarget);
        JsonNode prometheus = DeployFiles.yaml(DeployFiles.path("prometheus/prometheus.yml"));
        assertThat(prometheus.get("rule_files").get(0).asText())
                .startsWith(mountTarget(services.get("prometheus"), "../prometheus/rules") + "/");
        assertThat(prometheus.get("scrape_configs").get(0).get("static_configs").get(0).get("targets").get(0).asText())
                .isEqualTo("vigil:8080");
    }

    @Test
    void theKubernetesBaseIsCompleteAndConsistent() {
        // kubectl apply -k deploy/kubernetes applies the base; the base has a directory of its own because
        // Kustomize refuses an overlay (cluster/) inside the directory of the base it builds on.
        assertThat(DeployFiles.yaml(DeployFiles.path("kubernetes/kustomization.yaml")).get("resources"))
                .extracting(JsonNode::asText).containsExactly("base");
        Path dir = DeployFiles.path("kubernetes/base");
        JsonNode kustomization = DeployFiles.yaml(dir.resolve("kustomization.yaml"));
        Map<String, JsonNode> byKind = new HashMap<>();
        for (JsonNode resource : kustomization.get("resources")) {
            Path file = dir.resolve(resource.asText());
            assertThat(file).as("kustomization lists " + resource.asText()).exists();
            for (JsonNode doc : DeployFiles.yamlDocuments(file)) {
                assertThat(doc.has("apiVersion") && doc.has("kind") && doc.get("metadata").has("name"))
                        .as(file + " is a Kubernetes object").isTrue();
                byKind.put(doc.get("kind").asText() + "/" + doc.get("metadata").get("name").asText(), doc);
            }
        }
        JsonNode deployment = byKind.get("Deployment/vigil");
        JsonNode configMap = byKind.get("ConfigMap/vigil-config");
        assertThat(deployment).isNotNull();
        assertThat(configMap).isNotNull();

        JsonNode pod = deployment.get("spec").get("template");
        JsonNode container = pod.get("spec").get("containers").get(0);
        assertThat(container.get("envFrom").get(0).get("configMapRef").get("name").asText()).isEqualTo("vigil-config");
        Set<String> fromSecrets = new TreeSet<>();
        Map<String, String> env = podEnvironment(container, configMap, fromSecrets);
        assertRealKeysWithAcceptedValues(env, "kubernetes vigil");
        // The Secrets the pod needs are the ones the example shows how to create.
        JsonNode example = DeployFiles.yaml(dir.resolve("secret.example.yaml"));
        for (String secret : fromSecrets) {
            String[] nameKey = secret.split("/");
            assertThat(example.get("metadata").get("name").asText()).isEqualTo(nameKey[0]);
            assertThat(example.get("stringData").has(nameKey[1])).as(secret).isTrue();
        }
        assertThat(example.get("stringData").get("admin-token").asText().length()).isGreaterThanOrEqualTo(16);

        // Probes, resources and a termination grace that covers the writers' 20 s flush and alerting's 5 s engine
        // state save.
        JsonNode spec = pod.get("spec");
        assertThat(container.has("startupProbe") && container.has("readinessProbe") && container.has("livenessProbe"))
                .isTrue();
        assertThat(container.get("readinessProbe").get("httpGet").get("path").asText()).isEqualTo("/health");
        assertThat(container.get("livenessProbe").has("httpGet"))
                .as("liveness must not follow the database: a restart does not bring it back").isFalse();
        assertThat(container.get("resources").get("requests").has("cpu")).isTrue();
        assertThat(container.get("resources").get("requests").has("memory")).isTrue();
        assertThat(spec.get("terminationGracePeriodSeconds").asInt()).isGreaterThan(20 + 5 + 5 + 5);
        assertThat(spec.get("securityContext").get("runAsNonRoot").asBoolean()).isTrue();
        assertThat(deployment.get("spec").get("strategy").get("type").asText()).isEqualTo("Recreate");

        // The TLS Secret is mounted where the configuration looks for the certificate and key.
        String tlsDir = Path.of(env.get("VIGIL_MQTT_TLS_CERT")).getParent().toString();
        assertThat(Path.of(env.get("VIGIL_MQTT_TLS_KEY")).getParent().toString()).isEqualTo(tlsDir);
        String tlsVolume = null;
        for (JsonNode mount : container.get("volumeMounts")) {
            if (mount.get("mountPath").asText().equals(tlsDir)) {
                tlsVolume = mount.get("name").asText();
            }
        }
        assertThat(tlsVolume).as("a volume at " + tlsDir).isNotNull();
        for (JsonNode volume : spec.get("volumes")) {
            if (volume.get("name").asText().equals(tlsVolume)) {
                assertThat(volume.get("secret").get("secretName").asText()).isEqualTo("vigil-mqtt-tls");
            }
        }

        // Services, the PodDisruptionBudget and the Ingress select this pod and its ports.
        JsonNode podLabels = pod.get("metadata").get("labels");
        Set<String> portNames = new TreeSet<>();
        container.get("ports").forEach(p -> portNames.add(p.get("name").asText()));
        for (String name : List.of("Service/vigil-http", "Service/vigil-mqtt", "PodDisruptionBudget/vigil")) {
            JsonNode resource = byKind.get(name);
            assertThat(resource).as(name).isNotNull();
            JsonNode selector = resource.get("spec").get("selector");
            JsonNode labels = selector.has("matchLabels") ? selector.get("matchLabels") : selector;
            labels.fields().forEachRemaining(e -> assertThat(podLabels.path(e.getKey()).asText())
                    .as(name + " selects " + e.getKey()).isEqualTo(e.getValue().asText()));
            resource.get("spec").path("ports").forEach(p -> assertThat(portNames).contains(p.get("targetPort").asText()));
        }
        assertThat(byKind.get("Service/vigil-mqtt").get("spec").get("type").asText()).isEqualTo("LoadBalancer");
        for (JsonNode rule : byKind.get("Ingress/vigil").get("spec").get("rules")) {
            for (JsonNode path : rule.get("http").get("paths")) {
                String service = path.get("backend").get("service").get("name").asText();
                assertThat(byKind).containsKey("Service/" + service);
                assertThat(path.get("path").asText()).as("metrics stay inside the cluster").doesNotStartWith("/metrics");
            }
        }
    }

    @Test
    void theKubernetesClusterOverlayRunsSeveralNodesOnThreeKafkaBrokers() throws IOException {
        Path dir = DeployFiles.path("kubernetes/cluster");
        // Every file the overlay names exists (build fails otherwise), and every file there is named.
        List<Path> named = Kustomize.files(dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(named).containsAll(files.map(Path::normalize).toList());
        }
        Map<String, JsonNode> objects = Kustomize.build(dir);

        // Vigil: several pods, each in cluster mode under its own name, keys real and values accepted.
        JsonNode deployment = objects.get("Deployment/vigil");
        assertThat(deployment.get("spec").get("replicas").asInt()).as("Vigil replicas").isGreaterThanOrEqualTo(2);
        assertThat(deployment.get("spec").get("strategy").get("type").asText())
                .as("nodes replaced one by one, not all stopped at once").isEqualTo("RollingUpdate");
        JsonNode pod = deployment.get("spec").get("template");
        JsonNode container = pod.get("spec").get("containers").get(0);
        Map<String, String> env = podEnvironment(container, objects.get("ConfigMap/vigil-config"), new TreeSet<>());
        assertRealKeysWithAcceptedValues(env, "kubernetes cluster vigil");
        assertThat(env).containsKeys(ClusterConfig.NODE_ID, ClusterConfig.BOOTSTRAP_SERVERS);
        boolean nodeIdFromPodName = false;
        for (JsonNode variable : container.get("env")) {
            if (variable.get("name").asText().equals(ClusterConfig.NODE_ID)) {
                nodeIdFromPodName = variable.path("valueFrom").path("fieldRef").path("fieldPath").asText()
                        .equals("metadata.name");
            }
        }
        assertThat(nodeIdFromPodName).as("VIGIL_NODE_ID is the pod's name").isTrue();
        ClusterConfig cluster = ClusterConfig.from(Settings.of(env)).orElseThrow();

        // Kafka: the brokers of the clients' version line, broker and controller in one process.
        JsonNode kafka = objects.get("StatefulSet/kafka");
        assertThat(kafka).as("the Kafka StatefulSet").isNotNull();
        int brokers = kafka.get("spec").get("replicas").asInt();
        JsonNode kafkaPod = kafka.get("spec").get("template");
        JsonNode broker = kafkaPod.get("spec").get("containers").get(0);
        assertThat(broker.get("image").asText()).isEqualTo("apache/kafka:4.3.1").isEqualTo(
                DeployFiles.yaml(DeployFiles.path("compose/compose.cluster.yaml")).get("services").get("kafka")
                        .get("image").asText());
        Map<String, String> kafkaEnv = new LinkedHashMap<>();
        Map<String, String> fieldRefs = new LinkedHashMap<>();
        for (JsonNode variable : broker.get("env")) {
            String name = variable.get("name").asText();
            if (variable.has("valueFrom")) {
                fieldRefs.put(name, variable.get("valueFrom").get("fieldRef").get("fieldPath").asText());
            } else {
                kafkaEnv.put(name, variable.get("value").asText());
            }
        }
        assertThat(Set.of(kafkaEnv.get("KAFKA_PROCESS_ROLES").split(","))).containsExactlyInAnyOrder("broker", "controller");
        assertThat(fieldRefs).containsEntry("KAFKA_NODE_ID", "metadata.labels['apps.kubernetes.io/pod-index']")
                .containsEntry("POD_NAME", "metadata.name");
        assertThat(kafkaEnv.get("CLUSTER_ID")).as("one cluster id, a base64 UUID").matches("[A-Za-z0-9_-]{22}");

        // Replication: Vigil's topics fit on the brokers, survive one broker's loss, and so do Kafka's own.
        int replication = cluster.replication();
        int minInsync = Integer.parseInt(kafkaEnv.get("KAFKA_MIN_INSYNC_REPLICAS"));
        int defaultReplication = Integer.parseInt(kafkaEnv.get("KAFKA_DEFAULT_REPLICATION_FACTOR"));
        assertThat(brokers).as("brokers for VIGIL_KAFKA_REPLICATION " + replication).isGreaterThanOrEqualTo(replication);
        assertThat(minInsync).as("min.insync.replicas: an acknowledged write is on two brokers").isGreaterThanOrEqualTo(2)
                .as("min.insync.replicas below VIGIL_KAFKA_REPLICATION, or one broker down stops writes")
                .isLessThan(replication).isLessThan(defaultReplication);
        assertThat(defaultReplication).isLessThanOrEqualTo(brokers);
        int offsetsReplication = Integer.parseInt(kafkaEnv.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"));
        assertThat(offsetsReplication).as("consumer offsets survive a broker").isGreaterThan(1).isLessThanOrEqualTo(brokers);
        assertThat(Integer.parseInt(kafkaEnv.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")))
                .isLessThan(Integer.parseInt(kafkaEnv.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")));
        assertThat(kafkaEnv).containsEntry("KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE", "false");

        // Names: every broker has a stable name under a headless Service that publishes it before it is ready;
        // the controller quorum, the advertised listener and Vigil's bootstrap list all use those names.
        Map<String, Integer> ports = new LinkedHashMap<>();
        broker.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
        String serviceName = kafka.get("spec").get("serviceName").asText();
        JsonNode headless = objects.get("Service/" + serviceName);
        assertThat(headless).as("the StatefulSet's Service").isNotNull();
        assertThat(headless.get("spec").get("clusterIP").asText()).isEqualTo("None");
        assertThat(headless.get("spec").get("publishNotReadyAddresses").asBoolean()).isTrue();
        assertSelects(headless, kafkaPod, "Service/" + serviceName);
        headless.get("spec").get("ports").forEach(p -> assertThat(ports).containsKey(p.get("targetPort").asText()));
        assertThat(kafka.get("spec").get("podManagementPolicy").asText())
                .as("brokers start together: none is ready before the quorum forms").isEqualTo("Parallel");
        String podPrefix = kafka.get("metadata").get("name").asText() + "-";
        List<String> voters = List.of(kafkaEnv.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(","));
        assertThat(voters).hasSize(brokers);
        for (int id = 0; id < brokers; id++) {
            assertThat(voters.get(id)).isEqualTo(id + "@" + podPrefix + id + "." + serviceName + ":" + ports.get("controller"));
        }
        assertThat(kafkaEnv.get("KAFKA_LISTENERS")).contains("PLAINTEXT://:" + ports.get("kafka"),
                "CONTROLLER://:" + ports.get("controller"));
        assertThat(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"))
                .isEqualTo("PLAINTEXT://$(POD_NAME)." + serviceName + ":" + ports.get("kafka"));
        assertThat(cluster.bootstrapServers()).as("Vigil knows more than one broker").hasSizeGreaterThan(1);
        for (String server : cluster.bootstrapServers()) {
            assertThat(server).matches(Pattern.quote(podPrefix) + "[0-9]+\\." + Pattern.quote(serviceName) + ":"
                    + ports.get("kafka"));
            int ordinal = Integer.parseInt(server.substring(podPrefix.length(), server.indexOf('.')));
            assertThat(ordinal).as(server + " is a broker that exists").isLessThan(brokers);
        }

        // The log on the broker's own volume, below its root; probes, resources, an unprivileged user.
        String claim = kafka.get("spec").get("volumeClaimTemplates").get(0).get("metadata").get("name").asText();
        String dataMount = null;
        for (JsonNode mount : broker.get("volumeMounts")) {
            if (mount.get("name").asText().equals(claim)) {
                dataMount = mount.get("mountPath").asText();
            }
        }
        assertThat(dataMount).as("the volume claim is mounted").isNotNull();
        assertThat(Path.of(kafkaEnv.get("KAFKA_LOG_DIRS")).getParent()).isEqualTo(Path.of(dataMount));
        assertThat(broker.has("startupProbe") && broker.has("readinessProbe") && broker.has("livenessProbe")).isTrue();
        assertThat(broker.get("resources").get("requests").has("cpu")).isTrue();
        assertThat(gibibytes(broker.get("resources").get("limits").get("memory").asText()))
                .as("heap below the memory limit, the rest page cache")
                .isGreaterThan(gibibytes(kafkaEnv.get("KAFKA_HEAP_OPTS").replaceAll(".*-Xmx(\\S+).*", "$1")));
        assertThat(kafkaPod.get("spec").get("securityContext").get("runAsNonRoot").asBoolean()).isTrue();

        // Disruptions take one broker and one Vigil pod at a time; writes go on while a broker is away.
        JsonNode kafkaBudget = objects.get("PodDisruptionBudget/kafka");
        assertSelects(kafkaBudget, kafkaPod, "PodDisruptionBudget/kafka");
        int brokersAway = kafkaBudget.get("spec").get("maxUnavailable").asInt();
        assertThat(brokersAway).isEqualTo(1);
        assertThat(replication - brokersAway).as("in-sync replicas left during a drain").isGreaterThanOrEqualTo(minInsync);
        JsonNode vigilBudget = objects.get("PodDisruptionBudget/vigil");
        assertThat(vigilBudget.get("spec").has("minAvailable")).isFalse();
        assertThat(vigilBudget.get("spec").get("maxUnavailable").asInt()).isEqualTo(1);
        assertSelects(vigilBudget, pod, "PodDisruptionBudget/vigil");

        // Devices still reach every Vigil pod, and only Vigil pods, through a TCP load balancer; only Vigil and
        // the brokers may reach the brokers.
        JsonNode mqtt = objects.get("Service/vigil-mqtt");
        assertThat(mqtt.get("spec").get("type").asText()).isEqualTo("LoadBalancer");
        mqtt.get("spec").get("ports").forEach(p -> assertThat(p.get("protocol").asText()).isEqualTo("TCP"));
        assertSelects(mqtt, pod, "Service/vigil-mqtt");
        for (String service : List.of("Service/vigil-mqtt", "Service/vigil-http")) {
            assertThat(selects(objects.get(service), kafkaPod)).as(service + " leaves the brokers alone").isFalse();
        }
        JsonNode policy = objects.get("NetworkPolicy/kafka");
        assertThat(policy.get("spec").get("podSelector").get("matchLabels"))
                .isEqualTo(kafka.get("spec").get("selector").get("matchLabels"));
        List<JsonNode> admitted = new ArrayList<>();
        policy.get("spec").get("ingress").forEach(rule -> rule.get("from").forEach(admitted::add));
        assertThat(admitted).anySatisfy(from -> assertThat(from.get("podSelector").get("matchLabels"))
                .isEqualTo(deployment.get("spec").get("selector").get("matchLabels")));
    }

    @Test
    void kustomizeBuildsWhatTheseTestsCheck() throws Exception {
        for (String dir : List.of("kubernetes", "kubernetes/cluster")) {
            Optional<Map<String, JsonNode>> rendered = Kustomize.kubectl(DeployFiles.path(dir));
            assumeThat(rendered).as("kubectl is installed (Kustomize is built in)").isPresent();
            Map<String, JsonNode> ours = Kustomize.build(DeployFiles.path(dir));
            assertThat(rendered.get().keySet()).as(dir).containsExactlyInAnyOrderElementsOf(ours.keySet());
            for (Map.Entry<String, JsonNode> object : ours.entrySet()) {
                assertThat(Kustomize.normalised(rendered.get().get(object.getKey())))
                        .as(dir + ": " + object.getKey()).isEqualTo(Kustomize.normalised(object.getValue()));
            }
        }
    }

    @Test
    void theImageRunsAsAnUnprivilegedUserWithAHealthCheckAndTheStartScript() {
        String dockerfile = DeployFiles.text(DeployFiles.path("container/Dockerfile"));
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");
        assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK .*CMD \\[\"/opt/vigil/bin/vigil-health\"\\]");
        assertThat(dockerfile).containsPattern("(?m)^ENTRYPOINT \\[\"/opt/vigil/bin/vigil-start\"\\]");
        assertThat(dockerfile).containsPattern("(?m)^VOLUME \\[\"/var/lib/vigil\"\\]");
        assertThat(dockerfile).contains("VIGIL_DATA_DIR=/var/lib/vigil");
        for (String script : List.of("vigil-start", "vigil-health")) {
            assertThat(DeployFiles.path("bin/" + script)).isExecutable();
        }
        assertThat(DeployFiles.repository().resolve(".dockerignore")).exists();
    }

    @Test
    void theSystemdEnvironmentFileSetsAcceptedValues() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : DeployFiles.text(DeployFiles.path("systemd/vigil.env")).lines().toList()) {
            if (line.startsWith("VIGIL_")) {
                String[] kv = line.split("=", 2);
                env.put(kv[0], kv[1]);
            }
        }
        assertThat(env).containsKey("VIGIL_HTTP_PORT");
        assertRealKeysWithAcceptedValues(env, "systemd vigil.env");
        String unit = DeployFiles.text(DeployFiles.path("systemd/vigil.service"));
        assertThat(unit).contains("EnvironmentFile=/etc/vigil/vigil.env", "Environment=VIGIL_DATA_DIR=/var/lib/vigil",
                "ExecStart=/opt/vigil/bin/vigil-start", "KillMode=mixed", "SuccessExitStatus=143");
    }

    @Test
    void everyDashboardPanelQueriesTheProvisionedPrometheus() {
        JsonNode datasource = DeployFiles.yaml(DeployFiles.path("grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources").get(0);
        String uid = datasource.get("uid").asText();
        assertThat(datasource.get("type").asText()).isEqualTo("prometheus");
        List<Path> dashboards = Dashboards.files();
        assertThat(dashboards).hasSizeGreaterThanOrEqualTo(4);
        Set<String> uids = new TreeSet<>();
        for (Path file : dashboards) {
            JsonNode dashboard = DeployFiles.json(file);
            assertThat(uids.add(dashboard.get("uid").asText())).as("unique uid " + file).isTrue();
            Set<Integer> ids = new TreeSet<>();
            for (JsonNode panel : Dashboards.panels(dashboard)) {
                assertThat(ids.add(panel.get("id").asInt())).as(file + " panel id " + panel.get("id")).isTrue();
                if (panel.get("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.get("datasource").get("uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
                assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
                for (JsonNode target : panel.get("targets")) {
                    assertThat(target.get("expr").asText()).isNotBlank();
                }
            }
        }
    }

    /**
     * The environment a Vigil pod gets: the ConfigMap, then the container's own variables. Secrets get placeholder
     * values (and are listed in {@code fromSecrets}); the downward API's pod name a name such as a Deployment's pod has.
     */
    private static Map<String, String> podEnvironment(JsonNode container, JsonNode configMap, Set<String> fromSecrets) {
        Map<String, String> env = new LinkedHashMap<>(strings(configMap.get("data")));
        for (JsonNode variable : container.get("env")) {
            String name = variable.get("name").asText();
            JsonNode from = variable.path("valueFrom");
            if (from.has("secretKeyRef")) {
                JsonNode ref = from.get("secretKeyRef");
                fromSecrets.add(ref.get("name").asText() + "/" + ref.get("key").asText());
                env.put(name, name.contains("TOKEN") ? "a-secret-token-of-enough-length" : "secret");
            } else if (from.has("fieldRef")) {
                assertThat(from.get("fieldRef").get("fieldPath").asText()).as(name).isEqualTo("metadata.name");
                env.put(name, "vigil-7d9c5b6f48-x2k9p");
            } else {
                env.put(name, variable.get("value").asText());
            }
        }
        return env;
    }

    private static void assertSelects(JsonNode resource, JsonNode podTemplate, String name) {
        assertThat(resource).as(name).isNotNull();
        assertThat(selects(resource, podTemplate)).as(name + " selects its pods").isTrue();
    }

    /** Whether a Service's or budget's selector matches the labels of a pod template. */
    private static boolean selects(JsonNode resource, JsonNode podTemplate) {
        JsonNode selector = resource.get("spec").get("selector");
        JsonNode labels = selector.has("matchLabels") ? selector.get("matchLabels") : selector;
        JsonNode podLabels = podTemplate.get("metadata").get("labels");
        boolean[] all = {labels.size() > 0};
        labels.fields().forEachRemaining(e -> all[0] &= podLabels.path(e.getKey()).asText().equals(e.getValue().asText()));
        return all[0];
    }

    /** A Kubernetes quantity or JVM size in GiB: 2Gi, 1g, 512Mi, 512m. */
    private static double gibibytes(String size) {
        Matcher m = Pattern.compile("([0-9.]+)([GgMm])i?").matcher(size);
        assertThat(m.matches()).as(size).isTrue();
        double value = Double.parseDouble(m.group(1));
        return m.group(2).equalsIgnoreCase("g") ? value : value / 1024;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> values = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }

    private static String mountTarget(JsonNode service, String source) {
        for (JsonNode volume : service.get("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[0].equals(source)) {
                return parts[1];
            }
        }
        throw new AssertionError("no mount of " + source);
    }

    /**
     * Every VIGIL_ key is one the server reads, and the server's own configuration classes accept the values.
     * Compose variables stand for secrets and get placeholder values; certificate paths point at files that exist.
     */
    private void assertRealKeysWithAcceptedValues(Map<String, String> env, String where) {
        Map<String, String> settings = new HashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith("VIGIL_")) {
                continue;
            }
            assertThat(ConfigKeys.all()).as(where + " sets " + e.getKey()).contains(e.getKey());
            String value = e.getValue();
            if (value.startsWith("${")) {
                value = e.getKey().contains("TOKEN") ? "a-placeholder-admin-token" : "placeholder";
            } else if (value.startsWith("/") && (e.getKey().endsWith("_CERT") || e.getKey().endsWith("_KEY"))) {
                value = existingFile(e.getKey()).toString();
            }
            settings.put(e.getKey(), value);
        }
        Settings parsed = Settings.of(settings);
        int checked = 0;
        for (String className : ConfigKeys.configClasses()) {
            Method from;
            try {
                from = Class.forName(className).getMethod("from", Settings.class);
            } catch (ReflectiveOperationException notAConfigRecord) {
                continue;
            }
            if (!Modifier.isStatic(from.getModifiers())) {
                continue;
            }
            try {
                from.invoke(null, parsed);
                checked++;
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof ConfigException c) {
                    fail(where + ": " + c.getMessage());
                }
                throw new AssertionError(where + ": " + className + ".from failed", e.getCause());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(checked).as("configuration records that checked the values").isGreaterThanOrEqualTo(5);
    }

    private Path existingFile(String key) {
        try {
            return Files.writeString(temp.resolve(key + ".pem"), "placeholder");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
