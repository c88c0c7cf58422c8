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
import java.util.function.Supplier;

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
            // Bytes, not readString: a multi-byte character cut by an unfinished write must not throw.
            String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
            // The agent may be writing the last event as this reads: a line without its newline is not complete yet.
            int end = text.lastIndexOf('\n') + 1;
            for (String line : text.substring(0, end).split("\n")) {
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

    /**
     * Waits (bounded by {@code timeout}) until at least {@code count} events of the type are in the file; returns
     * those found, fewer if the time ran out (the caller asserts on the count).
     */
    public List<JsonNode> await(String event, int count, Duration timeout) throws InterruptedException {
        return Waits.until(() -> events(event), found -> found.size() >= count, timeout);
    }

    /** As {@link #await(String, int, Duration)}, for as long as {@link Waits#EVENT}. */
    public List<JsonNode> await(String event, int count) throws InterruptedException {
        return await(event, count, Waits.EVENT);
    }

    /**
     * Checks, throughout {@code period}, that the file never holds more than {@code count} events of the type (it
     * fails as soon as it does); returns those found at the end.
     */
    public List<JsonNode> holdsAtMost(String event, int count, Duration period, Supplier<String> context)
            throws InterruptedException {
        return Waits.holds(() -> events(event), found -> found.size() <= count, period,
                () -> "more than " + count + " '" + event + "' events\n" + context.get());
    }

    /** Checks, throughout {@code period}, that the file holds no event at all; see {@link #holdsAtMost}. */
    public void staysEmpty(Duration period, Supplier<String> context) throws InterruptedException {
        Waits.holds(this::events, List::isEmpty, period, () -> "events from a clean program\n" + context.get());
    }
}
