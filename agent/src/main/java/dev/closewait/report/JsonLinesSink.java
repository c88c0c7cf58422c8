package dev.closewait.report;

import dev.closewait.core.Churn;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per event to a file, flushed per event so that a crash loses nothing already reported.
 * When the file would grow past its cap it is renamed to {@code FILE.1} (replacing the previous one) and a new file is
 * started, so the report never takes more than twice the cap on disk.
 */
public final class JsonLinesSink implements ReportSink {

    private final JsonLines format;
    private final Path path;
    private final long maxBytes;
    private Writer out;
    private long bytes;

    private JsonLinesSink(JsonLines format, Path path, long maxBytes) throws IOException {
        this.format = format;
        this.path = path;
        this.maxBytes = maxBytes;
        openWriter();
    }

    /** Opens (creating if needed) the file for appending; fails early, at start, if it cannot be written. */
    public static JsonLinesSink open(Path path, long maxBytes, JsonLines format) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new JsonLinesSink(format, path, maxBytes);
    }

    private void openWriter() throws IOException {
        out = Files.newBufferedWriter(path, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        bytes = Files.size(path);
    }

    private void rotate() throws IOException {
        out.close();
        Files.move(path, path.resolveSibling(path.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        openWriter();
    }

    @Override
    public void leak(Leak leak) {
        write(format.leak(leak));
    }

    @Override
    public void outcome(LeakOutcome outcome) {
        write(format.outcome(outcome));
    }

    @Override
    public void churn(Churn churn) {
        write(format.churn(churn));
    }

    private void write(String line) {
        try {
            long lineBytes = line.getBytes(StandardCharsets.UTF_8).length + 1L;
            if (bytes > 0 && bytes + lineBytes > maxBytes) {
                rotate();
            }
            out.write(line);
            out.write('\n');
            out.flush();
            bytes += lineBytes;
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to the JSON report: " + e.getMessage(), e);
        }
    }
}
