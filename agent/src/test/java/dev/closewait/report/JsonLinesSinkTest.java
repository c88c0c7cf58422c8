package dev.closewait.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLinesSinkTest {

    @TempDir
    Path dir;

    @Test
    void appendsOneJsonObjectPerLineToWhatIsThere() throws Exception {
        Path file = dir.resolve("sub/leaks.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"event\":\"earlier\"}\n");
        JsonLinesSink sink = JsonLinesSink.open(file, 1 << 20, new JsonLines(40));

        sink.leak(Leaks.eofNotClosed().build());

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals("leak", new ObjectMapper().readTree(lines.get(1)).get("event").asText());
    }

    @Test
    void rotatesToDotOneBeforeTheFileWouldPassItsCap() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        long cap = 4096;
        JsonLinesSink sink = JsonLinesSink.open(file, cap, new JsonLines(40));
        int written = 40;
        for (int i = 0; i < written; i++) {
            sink.leak(Leaks.eofNotClosed().build());
        }

        Path rotated = dir.resolve("leaks.jsonl.1");
        assertTrue(Files.exists(rotated));
        assertTrue(Files.size(file) <= cap, "current file " + Files.size(file));
        assertTrue(Files.size(rotated) <= cap, "rotated file " + Files.size(rotated));
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(file)) {
            json.readTree(line); // every line whole
        }
        for (String line : Files.readAllLines(rotated)) {
            json.readTree(line);
        }
        assertTrue(Files.readAllLines(file).size() + Files.readAllLines(rotated).size() < written,
                "older rotations are dropped: at most twice the cap on disk");
    }
}
