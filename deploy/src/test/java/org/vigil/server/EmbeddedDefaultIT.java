package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.db.StorageMode;

/** The one-command default: no database configured, so the embedded PostgreSQL keeps data in the data dir. */
@Timeout(180)
class EmbeddedDefaultIT {

    @Test
    void withNoConfigurationTheServerRunsOnEmbeddedPostgresAndARestartKeepsEverything(@TempDir Path dataDir)
            throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.loopback());
        env.put("VIGIL_DATA_DIR", dataDir.toString());
        long doctorId;
        String token;

        try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            assertThat(server.database().isEmbedded()).isTrue();
            assertThat(server.database().storageMode()).isEqualTo(StorageMode.PARTITIONED);
            token = server.adminToken();
            assertThat(Files.readString(dataDir.resolve("admin-token")).trim()).isEqualTo(token);
            doctorId = api.newDoctor("Dr Persistent");
        }

        try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            assertThat(server.adminToken()).as("the generated token survives a restart").isEqualTo(token);
            assertThat(api.get("/api/v1/doctors/" + doctorId).getString("name")).isEqualTo("Dr Persistent");
        }
    }
}
