package dev.closewait.text;

/**
 * Makes a string the host controls (a thread name, a class or file name in a stack frame, an option value, an
 * exception message) safe to print in a line of text: on a terminal, in a log file, in a table. Depends on nothing,
 * so every package may use it.
 *
 * <p>What {@link #escape} does, character by character: C0 controls (newline, carriage return, tab, ESC, ...), DEL
 * and C1 controls become {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}; a backslash becomes
 * {@code \\}, so an escape cannot be forged; the Unicode bidirectional overrides and isolates (which reorder what a
 * terminal shows) and the line and paragraph separators become {@code \}{@code uXXXX}; a lone UTF-16 surrogate
 * (which no charset can encode) becomes U+FFFD. Everything else is kept, so ordinary names print unchanged.
 */
public final class SafeText {

    /** What replaces a lone surrogate. */
    public static final char REPLACEMENT = '\uFFFD';

    private SafeText() {
    }

    /** The string with every unsafe character escaped as described above; "null" for null. Never throws. */
    public static String escape(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean backslash) {
        if (text == null) {
            return "null";
        }
        int first = firstUnsafe(text, backslash);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(REPLACEMENT);
            } else if (c == '\\' && backslash) {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (isControl(c)) {
                out.append("\\u").append(hex(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@link #escape}d, then cut to at most {@code max} characters (an ellipsis and the original length mark the cut),
     * for echoing a value that may be huge.
     */
    public static String bounded(String text, int max) {
        String escaped = escape(text);
        if (escaped.length() <= max) {
            return escaped;
        }
        int end = Math.max(0, max);
        if (end > 0 && Character.isHighSurrogate(escaped.charAt(end - 1))) {
            end--;
        }
        return escaped.substring(0, end) + "…(" + (text == null ? 0 : text.length()) + " characters)";
    }

    /** How much of a thread name {@link #quotedName} shows. */
    public static final int MAX_NAME = 200;

    /**
     * A host-chosen name (a thread's) in double quotes for a text report: {@link #bounded} to {@link #MAX_NAME}
     * characters, with its own double quotes escaped as {@code \"} (backslashes already are), so that the quoting
     * cannot be closed early by the name. "null" for null, unquoted.
     */
    public static String quotedName(String name) {
        if (name == null) {
            return "null";
        }
        return '"' + bounded(name, MAX_NAME).replace("\"", "\\\"") + '"';
    }

    /**
     * Like {@link #escape} but keeps line breaks ({@code \n}, {@code \r\n}): for a multi-line message whose lines
     * the agent itself composed (stack traces), as a last defence against ESC sequences and other controls.
     */
    public static String escapeKeepingLines(String text) {
        if (text == null) {
            return "null";
        }
        if (firstUnsafe(text, false) < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n') {
                int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
                // The agent's own text: its backslashes are left alone, only controls and surrogates are escaped.
                out.append(escape(text.substring(start, end), false));
                if (i < text.length()) {
                    out.append(text, end, i + 1);
                }
                start = i + 1;
            }
        }
        return out.toString();
    }

    /**
     * Whether {@code c} is never printed as itself by {@link #escape} (backslash and surrogates aside): C0, DEL, C1,
     * bidirectional marks, overrides and isolates, line and paragraph separators.
     */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069') || c == '\u2028' || c == '\u2029' || c == '\u200e'
                || c == '\u200f' || c == '\u061c';
    }

    private static int firstUnsafe(String text, boolean backslash) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == '\\' && backslash) || isControl(c) || Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    private static String hex(char c) {
        String hex = Integer.toHexString(c);
        return "0000".substring(hex.length()) + hex;
    }
}
