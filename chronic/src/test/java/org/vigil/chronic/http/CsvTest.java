package org.vigil.chronic.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CsvTest {

    @Test
    void excelGetsABomCrLfAndQuotedFields() {
        String csv = new Csv().row(List.of("id", "name")).row(Arrays.asList(7L, "王, \"小明\"")).row(Arrays.asList(8L, null))
                .toString();
        assertThat(csv).isEqualTo("\uFEFFid,name\r\n7,\"王, \"\"小明\"\"\"\r\n8,\r\n");
    }

    @Test
    void textThatExcelWouldEvaluateIsKeptAsText() {
        assertThat(Csv.field("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(Csv.field(-3L)).isEqualTo("-3");
    }
}
