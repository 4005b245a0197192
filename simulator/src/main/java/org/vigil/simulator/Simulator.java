package org.vigil.simulator;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Simulated home devices for a Vigil server: registers (or reuses) a patient population, publishes
 * realistic readings over MQTT on a load profile or on the patients' daily schedules, injects clinical
 * scenarios and judges the alerts they produce, and reports throughput, PUBACK and publish-to-alert latency,
 * errors by kind and the scenarios' verdicts (JSON and HTML with {@code --report-dir}).
 *
 * <p>From Java: {@code SimulationReport report = Simulator.run(SimulatorConfig.parse("--token", t,
 * "--devices", "20", "--scenarios", "all"), listener);}. From the command line: {@code java -jar
 * vigil-simulator.jar --token T --client vertx --devices 10000 --rate 5000 --duration 60s} (see
 * {@link SimulatorConfig#usage()} and {@code docs/simulator.md}).
 */
public final class Simulator {

    /** Exit status when every sent message was acknowledged and every scenario passed. */
    public static final int EXIT_OK = 0;
    /** Exit status when some message was not acknowledged, a scenario did not pass, or the run failed. */
    public static final int EXIT_FAILED = 1;
    /** Exit status for bad arguments. */
    public static final int EXIT_USAGE = 2;

    private static final String LOGBACK_CONFIG_PROPERTY = "logback.configurationFile";
    private static final String CLI_LOGBACK_CONFIG = "org/vigil/simulator/logback-cli.xml";

    private Simulator() {
    }

    /**
     * Runs a simulation and returns its outcome. Blocks for about {@code config.duration()}, plus
     * provisioning and connecting, plus at most 10 s waiting for the last acknowledgements and
     * {@code config.alertWait()} for the scenarios' alerts.
     *
     * @throws InvalidOptionException if the devices file does not fit the configuration
     * @throws SimulatorException if provisioning or connecting fails
     * @throws InterruptedException if interrupted; the clients are disconnected first
     */
    public static SimulationReport run(SimulatorConfig config) throws InterruptedException {
        return run(config, SimulationListener.SILENT);
    }

    /** As {@link #run(SimulatorConfig)}, telling {@code listener} about phases and progress. */
    public static SimulationReport run(SimulatorConfig config, SimulationListener listener) throws InterruptedException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        return new SimulationRun(config, listener).execute();
    }

    /** Command-line entry point; see {@link SimulatorConfig#usage()}. */
    public static void main(String[] args) {
        // Before anything touches SLF4J: the shaded jar has no logback.xml of its own (it would leak into
        // the test class paths of modules depending on this one), so point logback at the CLI's config.
        if (System.getProperty(LOGBACK_CONFIG_PROPERTY) == null) {
            System.setProperty(LOGBACK_CONFIG_PROPERTY, CLI_LOGBACK_CONFIG);
        }
        System.exit(cli(args, System.out, System.err));
    }

    /**
     * The command line without {@code System.exit}: parses {@code args}, runs, prints progress and the
     * summary to {@code out}, errors and usage to {@code err}.
     *
     * @return the exit status: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}
     */
    static int cli(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(SimulatorConfig.usage());
            return EXIT_OK;
        }
        try {
            SimulatorConfig config = SimulatorConfig.parse(args);
            SimulationReport report = run(config, new SimulationListener() {
                @Override
                public void phase(String message) {
                    out.println(message);
                }

                @Override
                public void progress(Progress progress) {
                    out.println(progress.line());
                }
            });
            out.println(report.summary());
            return report.allAcknowledged() && report.scenariosPassed() ? EXIT_OK : EXIT_FAILED;
        } catch (InvalidOptionException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(SimulatorConfig.usage());
            return EXIT_USAGE;
        } catch (SimulatorException e) {
            err.println("error: " + e.getMessage());
            return EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return EXIT_FAILED;
        }
    }
}
