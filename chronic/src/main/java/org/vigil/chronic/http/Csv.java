package org.vigil.chronic.http;

import java.util.List;

/**
 * CSV as Excel opens it correctly in Chinese: UTF-8 with a byte-order mark (without it Excel reads the bytes as the
 * system's ANSI code page), CRLF line ends, and fields quoted when they hold a comma, a quote or a line break
 * (RFC 4180).
 */
final class Csv {

    static final String BOM = "\uFEFF";
    static final String CONTENT_TYPE = "text/csv; charset=utf-8";

    private final StringBuilder out = new StringBuilder(BOM);

    Csv row(List<?> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(field(fields.get(i)));
        }
        out.append("\r\n");
        return this;
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        // A leading = + - @ would make Excel evaluate the cell as a formula: quote it as text.
        boolean formula = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !(value instanceof Number);
        if (formula) {
            s = "'" + s;
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
