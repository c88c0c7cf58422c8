package dev.closewait.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class SafeTextTest {

    @Test
    void keepsOrdinaryNamesAsTheyAre() {
        String name = "pool-1-thread-3 Zürich 東京 \uD83D\uDE00";
        assertSame(name, SafeText.escape(name));
    }

    @Test
    void escapesNewlinesEscapeSequencesAndOtherControls() {
        assertEquals("a\\nWARN forged\\r\\tb", SafeText.escape("a\nWARN forged\r\tb"));
        assertEquals("\\u001b[31mred\\u001b[0m", SafeText.escape("\u001b[31mred\u001b[0m"));
        assertEquals("\\u0000\\u007f\\u009b\\u202e\\u2066\\u2028", SafeText.escape("\u0000\u007f\u009b\u202e\u2066\u2028"));
    }

    @Test
    void escapesABackslashSoThatNoEscapeCanBeForged() {
        assertEquals("a\\\\nb", SafeText.escape("a\\nb"));
    }

    @Test
    void replacesLoneSurrogatesSoThatTheTextAlwaysEncodes() {
        String escaped = SafeText.escape("x\uD800y\uDC00z\uD83D");
        assertEquals("x\uFFFDy\uFFFDz\uFFFD", escaped);
        assertEquals(escaped, new String(escaped.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Test
    void boundsAHugeValueAndSaysHowLongItWas() {
        assertEquals("abc…(10 characters)", SafeText.bounded("abcdefghij", 3));
        assertEquals("abc", SafeText.bounded("abc", 3));
        assertEquals("\\n…(2 characters)", SafeText.bounded("\n\n", 2), "bounded after escaping");
    }

    @Test
    void keepsTheAgentsOwnLineBreaksButEscapesEverythingElse() {
        assertEquals("Leaked \\u001b[2J\n    at a.B(C:\\x)\r\n  end",
                SafeText.escapeKeepingLines("Leaked \u001b[2J\n    at a.B(C:\\x)\r\n  end"));
    }
}
