package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The agent's JSON Lines report file, read as it grows. */
public final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public JsonReport(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public List<JsonNode> events() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<JsonNode> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    events.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    public List<JsonNode> events(String event) {
        return events().stream().filter(node -> event.equals(node.path("event").asText())).toList();
    }

    public List<JsonNode> leaks() {
        return events("leak");
    }

    /** Waits (bounded) until at least {@code count} events of the type are in the file. */
    public List<JsonNode> await(String event, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> found = events(event);
        while (found.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
            found = events(event);
        }
        return found;
    }
}
