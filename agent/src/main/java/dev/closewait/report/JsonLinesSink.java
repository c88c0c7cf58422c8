package dev.closewait.report;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one JSON object per event to a file, flushed per event so that a crash loses nothing already reported. */
public final class JsonLinesSink implements ReportSink {

    private final JsonLines format;
    private final Writer out;

    private JsonLinesSink(JsonLines format, Writer out) {
        this.format = format;
        this.out = out;
    }

    /** Opens (creating if needed) the file for appending; fails early, at start, if it cannot be written. */
    public static JsonLinesSink open(Path path, JsonLines format) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new JsonLinesSink(format, Files.newBufferedWriter(path, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    @Override
    public void leak(Leak leak) {
        write(format.leak(leak));
    }

    @Override
    public void outcome(LeakOutcome outcome) {
        write(format.outcome(outcome));
    }

    private void write(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to the JSON report: " + e.getMessage(), e);
        }
    }
}
