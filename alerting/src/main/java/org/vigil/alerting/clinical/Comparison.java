package org.vigil.alerting.clinical;

/** How a value is compared with a threshold. */
public enum Comparison {
    LT("<"), LE("<="), GT(">"), GE(">=");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    /** The comparison written as {@code <, <=, >, >=}, or {@code null}. */
    public static Comparison fromSymbol(String symbol) {
        for (Comparison c : values()) {
            if (c.symbol.equals(symbol)) {
                return c;
            }
        }
        return null;
    }

    public boolean test(double value, double threshold) {
        return switch (this) {
            case LT -> value < threshold;
            case LE -> value <= threshold;
            case GT -> value > threshold;
            case GE -> value >= threshold;
        };
    }
}
