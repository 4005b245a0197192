package org.vigil.ingest.payload;

import java.util.Arrays;
import java.util.List;
import org.vigil.common.model.Reading;

/**
 * What one payload yielded: the readings to store and how many values were rejected for each reason.
 */
public final class ParseResult {

    private final List<Reading> readings;
    private final int[] rejected;

    ParseResult(List<Reading> readings, int[] rejected) {
        this.readings = readings;
        this.rejected = rejected;
    }

    public List<Reading> readings() {
        return readings;
    }

    public int rejected(Rejection reason) {
        return rejected[reason.ordinal()];
    }

    public int rejectedTotal() {
        return Arrays.stream(rejected).sum();
    }

    public boolean malformed() {
        return rejected[Rejection.MALFORMED.ordinal()] > 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ParseResult[readings=").append(readings.size());
        for (Rejection r : Rejection.values()) {
            if (rejected[r.ordinal()] > 0) {
                sb.append(", ").append(r.tag()).append('=').append(rejected[r.ordinal()]);
            }
        }
        return sb.append(']').toString();
    }
}
