package dev.closewait.report;

import dev.closewait.core.Churn;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.text.SafeText;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Appends one JSON object per event to a file. Each event is one {@code write} on a channel opened in append mode, so
 * that a crash or a kill leaves whole lines, and several JVMs appending to one file never interleave within a line.
 * When it opens the file, and after a write of its own was cut short (a full disk), the next event starts with a
 * newline unless the file already ends with one: a cut line left by a kill or a full disk is ended first, so that two
 * events are never glued together. (Only then: before every event, a check would race with other JVMs' writes in
 * progress and add empty lines.) Before each event it makes sure that the path still names the file it has open: a
 * report file deleted or replaced while the application runs is opened again.
 *
 * <p>When the file would grow past its cap it is renamed to {@code FILE.1} (replacing the previous one) and a new file
 * is started, so the report never takes more than about twice the cap on disk. Called on one thread at a time.
 */
public final class JsonLinesSink implements LeakListener {

    /** Opens a file channel; a test puts a fake disk behind it. */
    interface Channels {
        FileChannel open(Path path, Set<OpenOption> options) throws IOException;
    }

    private static final byte NEWLINE = '\n';

    private final JsonLines format;
    private final ReportPath target;
    private final long maxBytes;
    private final Channels channels;
    private FileChannel append;
    private Object fileKey;
    private boolean cutLine;

    private JsonLinesSink(JsonLines format, ReportPath target, long maxBytes, Channels channels) {
        this.format = format;
        this.target = target;
        this.maxBytes = maxBytes;
        this.channels = channels;
    }

    /**
     * Opens (creating if needed, with its directories) the file for appending; fails early, at start, if it cannot be
     * written or is refused (see {@link ReportPath}: a named pipe, a device, a kernel file; a link or another user's
     * file unless {@code trusted}).
     *
     * @throws IOException whose message names the path and why
     */
    public static JsonLinesSink open(Path path, long maxBytes, JsonLines format, boolean trusted) throws IOException {
        return open(path, maxBytes, format, new ReportPath(path, trusted, ReportPath.OWN_UID), FILE_CHANNELS);
    }

    /** {@code FileChannel.open}: a class, not a method reference, which the agent's start would link by spinning one. */
    private static final Channels FILE_CHANNELS = new Channels() {
        @Override
        public FileChannel open(Path path, Set<OpenOption> options) throws IOException {
            return FileChannel.open(path, options);
        }
    };

    static JsonLinesSink open(Path path, long maxBytes, JsonLines format, ReportPath target, Channels channels)
            throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        JsonLinesSink sink = new JsonLinesSink(format, target, maxBytes, channels);
        sink.reopen();
        return sink;
    }

    @Override
    public void leakDetected(Leak leak) {
        write(format.leak(leak));
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        write(format.outcome(outcome));
    }

    @Override
    public void churn(Churn churn) {
        write(format.churn(churn));
    }

    private void write(String line) {
        try {
            ensureCurrentFile();
            byte[] body = line.getBytes(StandardCharsets.UTF_8); // never throws: JsonObject leaves no lone surrogate
            long size = append.size();
            if (size > 0 && size + body.length + 2 > maxBytes) {
                rotate();
                size = append.size();
            }
            boolean endCutLine = cutLine && size > 0;
            ByteBuffer event = ByteBuffer.allocate(body.length + (endCutLine ? 2 : 1));
            if (endCutLine) {
                event.put(NEWLINE);
            }
            event.put(body).put(NEWLINE).flip();
            int length = event.remaining();
            // One write(2) in append mode: the kernel puts the whole event at the end, as one piece.
            int written = append.write(event);
            cutLine = written < length;
            if (cutLine) {
                // A full disk, say. What was written stays a cut line; the next event starts after a newline.
                throw new IOException("only " + written + " of " + length + " bytes could be written (disk full?)");
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(); // and the next event checks the file's end again
            throw new IllegalStateException("cannot append to the JSON report " + SafeText.escape(target.path()
                    .toString()) + ": " + SafeText.escape(e.toString()), e);
        }
    }

    /** Opens the file again when the path no longer names the file that is open (deleted, rotated, replaced). */
    private void ensureCurrentFile() throws IOException {
        if (append == null || !append.isOpen()) {
            reopen();
            return;
        }
        try {
            Object current = Files.readAttributes(target.path(), BasicFileAttributes.class, target.linkOptions())
                    .fileKey();
            if (fileKey != null && !fileKey.equals(current)) {
                reopen(); // replaced (rotated by another JVM, say)
            }
        } catch (NoSuchFileException deleted) {
            reopen();
        }
    }

    private void reopen() throws IOException {
        closeQuietly();
        target.check();
        Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE));
        for (LinkOption option : target.linkOptions()) {
            options.add(option);
        }
        FileChannel opened = channels.open(target.path(), options);
        try {
            BasicFileAttributes attributes = target.check();
            if (attributes == null) {
                throw new NoSuchFileException(target.path().toString(), null, "deleted while being opened");
            }
            cutLine = !endsWithNewline(options);
            append = opened;
            fileKey = attributes.fileKey();
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Whether the file is empty or ends with a newline; read with a channel of its own (no READ with APPEND). */
    private boolean endsWithNewline(Set<OpenOption> appendOptions) throws IOException {
        Set<OpenOption> options = new HashSet<>(appendOptions);
        options.removeAll(Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
        options.add(StandardOpenOption.READ);
        try (FileChannel read = channels.open(target.path(), options)) {
            long size = read.size();
            ByteBuffer last = ByteBuffer.allocate(1);
            return size == 0 || read.read(last, size - 1) != 1 || last.get(0) == NEWLINE;
        }
    }

    private void rotate() throws IOException {
        closeQuietly();
        Files.move(target.path(), target.path().resolveSibling(target.path().getFileName() + ".1"),
                StandardCopyOption.REPLACE_EXISTING);
        reopen();
    }

    private void closeQuietly() {
        try {
            if (append != null) {
                append.close();
            }
        } catch (IOException ignored) {
            // reopened on the next event
        }
        append = null;
        fileKey = null;
    }

    @Override
    public String toString() {
        return "JSON report " + Objects.toString(target.path());
    }
}
