package org.vigil.simulator.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vigil.simulator.SimulatorException;

/** Writes a report file, creating its directory; a failure names the file. */
final class ReportFiles {

    private ReportFiles() {
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SimulatorException("cannot write " + file + ": " + e, e);
        }
    }
}
