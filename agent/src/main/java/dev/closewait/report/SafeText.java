package dev.closewait.report;

/**
 * Host-controlled strings (thread names, addresses, class names) made safe for one line of log text: control
 * characters, line and paragraph separators and lone surrogates become a backslash, "u" and four hex digits, so a thread name cannot
 * break a report's one-line message or forge a log line.
 */
final class SafeText {

    private SafeText() {
    }

    /** {@code text} with unsafe characters escaped; "null" for null, as string concatenation would show it. */
    static String clean(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || (c >= 0x80 && c < 0xa0)
                    || (Character.isHighSurrogate(c) && (i + 1 >= text.length()
                    || !Character.isLowSurrogate(text.charAt(i + 1))))
                    || (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1))));
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
