package dev.closewait.report;

import java.util.List;

/** Builds one JSON object on one line, fields in the order they are added. Strings are escaped per RFC 8259. */
final class JsonObject {

    private final StringBuilder json = new StringBuilder(512).append('{');

    JsonObject field(String name, String value) {
        name(name);
        if (value == null) {
            json.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    JsonObject field(String name, long value) {
        name(name);
        json.append(value);
        return this;
    }

    /** A finite number with at most four decimals ({@code 0.1063}); NaN and infinities as null. */
    JsonObject field(String name, double value) {
        name(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            json.append("null");
        } else {
            json.append(java.math.BigDecimal.valueOf(value).setScale(4, java.math.RoundingMode.HALF_UP)
                    .stripTrailingZeros().toPlainString());
        }
        return this;
    }

    JsonObject field(String name, boolean value) {
        name(name);
        json.append(value);
        return this;
    }

    JsonObject field(String name, List<String> values) {
        name(name);
        json.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            quote(values.get(i));
        }
        json.append(']');
        return this;
    }

    String end() {
        return json.append('}').toString();
    }

    private void name(String name) {
        if (json.length() > 1) {
            json.append(',');
        }
        quote(name);
        json.append(':');
    }

    private void quote(String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
