package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Verifies that the metric names of an expression are found, and nothing else is taken for one. */
@Timeout(10)
class PromQlTest {

    @Test
    void functionsAggregationsLabelsAndKeywordsAreNotMetrics() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, route) (rate(vigil_http_requests_seconds_bucket"
                + "{instance=~\"$instance\",route!~\".*/stream\"}[1m])))"))
                .containsExactly("vigil_http_requests_seconds_bucket");
        assertThat(PromQl.metricNames("sum by (instance) (vigil_ingest_writer_queued) / sum by (instance) "
                + "(vigil_ingest_writer_capacity) > 0.5"))
                .containsExactly("vigil_ingest_writer_capacity", "vigil_ingest_writer_queued");
        assertThat(PromQl.metricNames("max by (organisation) (a_metric) >= 3 and (time() - max by (organisation) (b)) > 86400"
                + " and on () count(time() - b < 3600) > 0"))
                .containsExactly("a_metric", "b");
        assertThat(PromQl.metricNames("up{job=\"vigil\"} == 0 unless ignoring(job) c offset 5m"))
                .containsExactly("c", "up");
        assertThat(PromQl.metricNames("sum(rate(x_total{reason=\"a b(c)\"}[5m] offset 1h)) * 3600"))
                .containsExactly("x_total");
    }
}
