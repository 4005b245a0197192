package org.vigil.server;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/** Command-line entry point: configuration from the environment, then run until SIGTERM or Ctrl-C. */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        VigilServer server;
        try {
            server = VigilServer.start(Settings.fromEnvironment(System.getenv()), Clock.systemUTC());
        } catch (ConfigException e) {
            LOG.error("Configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            LOG.error("Vigil failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("vigil-shutdown").unstarted(server::close));
    }
}
