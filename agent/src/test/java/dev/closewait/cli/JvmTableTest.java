package dev.closewait.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmTableTest {

    @Test
    void dropsAJarsDirectoryAndCutsLongCommandLines() {
        assertEquals("app.jar --port 8080", JvmTable.shorten("/srv/releases/2026-11-30/app.jar --port 8080"));
        String longLine = JvmTable.shorten("com.acme.Main " + "-cp /very/long/path:".repeat(50));
        assertEquals(JvmTable.COMMAND_WIDTH, longLine.length());
        assertTrue(longLine.endsWith("…"), longLine);
        assertEquals("?", JvmTable.shorten(""));
    }

    @Test
    void escapesWhatATerminalWouldActOn() {
        assertEquals("evil \\u001b[2Jcleared\\nforged", JvmTable.shorten("evil \u001b[2Jcleared\nforged"));
    }

    @Test
    void marksWhichJvmsRunClosewait() {
        String table = JvmTable.render(List.of(new AttachApi.Jvm("12", "a.jar"), new AttachApi.Jvm("34", "B")),
                List.of("yes", "?"));
        assertEquals(List.of("PID      CLOSEWAIT COMMAND", "12       yes       a.jar", "34       ?         B"),
                table.lines().toList());
    }

    @Test
    void jsonMayComeAnywhereOnTheLine() {
        assertEquals(List.of("report", "12"), Commands.withoutFlags(List.of("--json", "report", "12")));
        assertEquals(List.of("report", "12"), Commands.withoutFlags(List.of("report", "12", "--json")));
    }
}
