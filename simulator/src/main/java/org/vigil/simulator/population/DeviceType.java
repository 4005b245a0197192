package org.vigil.simulator.population;

import java.util.List;

/**
 * Kinds of home device the simulator can impersonate, named as the registry API names them, with the
 * metrics each reports in payload order. The simulator keeps its own copy rather than depending on the
 * registry module: it is a client and must build and run against a server it only knows through the wire.
 */
public enum DeviceType implements WireName {
    BP_MONITOR(Metric.SYSTOLIC_BP, Metric.DIASTOLIC_BP, Metric.HEART_RATE),
    GLUCOMETER(Metric.GLUCOSE),
    PULSE_OXIMETER(Metric.SPO2, Metric.HEART_RATE),
    SCALE(Metric.BODY_WEIGHT),
    THERMOMETER(Metric.BODY_TEMP),
    WEARABLE(Metric.HEART_RATE, Metric.SPO2, Metric.RESP_RATE);

    private final List<Metric> metrics;

    DeviceType(Metric... metrics) {
        this.metrics = List.of(metrics);
    }

    /** What one measurement of this device reports, in payload order. */
    public List<Metric> metrics() {
        return metrics;
    }

    /** Wearables stream continuously; every other device is a spot measurement the patient takes. */
    public boolean streams() {
        return this == WEARABLE;
    }

    /** The type with that API name, or {@code null}. */
    public static DeviceType fromWire(String name) {
        return WireName.find(values(), name);
    }
}
