package org.vigil.chronic.control;

/** A blood-pressure target: controlled when both means are strictly below it. */
public record BpTarget(double systolic, double diastolic) {

    public BpTarget {
        if (!(systolic > diastolic && diastolic > 0)) {
            throw new IllegalArgumentException("a BP target needs systolic > diastolic > 0");
        }
    }

    boolean met(double meanSystolic, double meanDiastolic) {
        return meanSystolic < systolic && meanDiastolic < diastolic;
    }

    @Override
    public String toString() {
        return fmt(systolic) + "/" + fmt(diastolic);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
