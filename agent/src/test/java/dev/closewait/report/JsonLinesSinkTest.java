package dev.closewait.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLinesSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JsonLinesSink open(Path file) throws IOException {
        return JsonLinesSink.open(file, 1 << 20, new JsonLines(40), false);
    }

    private static List<JsonNode> events(Path file) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode event = JSON.readTree(line); // throws on a line that is not whole JSON
            assertTrue(event.isObject(), "not a JSON object: '" + line + "'");
            events.add(event);
        }
        return events;
    }

    @Test
    void appendsOneJsonObjectPerLineToWhatIsThere() throws Exception {
        Path file = dir.resolve("sub/leaks.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"event\":\"earlier\"}\n");
        JsonLinesSink sink = open(file);
        Leak leak = Leaks.eofNotClosed().build();

        sink.leakDetected(leak);
        sink.leakResolved(Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 1_500));

        List<JsonNode> events = events(file);
        assertEquals(3, events.size());
        assertEquals("earlier", events.get(0).get("event").asText());
        assertEquals("leak", events.get(1).get("event").asText());
        JsonNode closed = events.get(2);
        assertEquals("closed", closed.get("event").asText());
        assertEquals(42, closed.get("id").asLong(), "the closed event names the reported leak");
        assertEquals("eof-not-closed", closed.get("kind").asText());
        assertEquals("closer", closed.get("thread").asText());
        assertEquals(1_500, closed.get("afterReportMs").asLong());
        assertEquals("2023-11-14T22:13:54Z", closed.get("closedAt").asText());
    }

    @Test
    void writesTheCollectedEventOfAReportedLeak() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        JsonLinesSink sink = open(file);
        Leak leak = Leaks.eofNotClosed().build();

        sink.leakResolved(Leaks.outcome(leak, LeakOutcome.Kind.COLLECTED, 250));

        JsonNode collected = events(file).get(0);
        assertEquals("collected", collected.get("event").asText());
        assertEquals(250, collected.get("afterReportMs").asLong());
        assertTrue(collected.get("fdReleased").asBoolean(), "a java.net.Socket's cleaner releases its descriptor");
    }

    @Test
    void rotatesToDotOneBeforeTheFileWouldPassItsCap() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        long cap = 4096;
        JsonLinesSink sink = JsonLinesSink.open(file, cap, new JsonLines(40), false);
        int written = 40;
        for (int i = 0; i < written; i++) {
            sink.leakDetected(Leaks.eofNotClosed().build());
        }

        Path rotated = dir.resolve("leaks.jsonl.1");
        assertTrue(Files.exists(rotated));
        assertTrue(Files.size(file) <= cap, "current file " + Files.size(file));
        assertTrue(Files.size(rotated) <= cap, "rotated file " + Files.size(rotated));
        int kept = events(file).size() + events(rotated).size();
        assertTrue(kept < written, "older rotations are dropped: at most twice the cap on disk");
    }

    @Test
    void opensTheFileAgainWhenItWasDeleted() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        JsonLinesSink sink = open(file);
        sink.leakDetected(Leaks.eofNotClosed().build());
        Files.delete(file);

        sink.leakDetected(Leaks.eofNotClosed().build());
        sink.leakDetected(Leaks.eofNotClosed().build());

        assertEquals(2, events(file).size(), "both events after the delete are in the new file");
    }

    @Test
    void startsOnAFreshLineWhenTheFileEndsInACutLine() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        Files.writeString(file, "{\"event\":\"leak\",\"id\":1,\"allocation\":[\"a.B.c(B.ja"); // killed mid-line
        JsonLinesSink sink = open(file);

        sink.leakDetected(Leaks.eofNotClosed().build());

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals(42, JSON.readTree(lines.get(1)).get("id").asLong(), "the new event is a whole line of its own");
    }

    @Test
    void aFullDiskCutsOneEventButNeverGluesTheNextOntoIt() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        AtomicInteger writeBudget = new AtomicInteger(Integer.MAX_VALUE);
        JsonLinesSink sink = JsonLinesSink.open(file, 1 << 20, new JsonLines(40),
                new ReportPath(file, false, ReportPath.OWN_UID),
                (path, options) -> new ShortWritingChannel(FileChannel.open(path, options), writeBudget));
        sink.leakDetected(Leaks.eofNotClosed().build());
        writeBudget.set(100); // the disk fills up: the next write gets 100 bytes in

        assertThrows(IllegalStateException.class, () -> sink.leakDetected(Leaks.eofNotClosed().build()));
        writeBudget.set(Integer.MAX_VALUE); // space again
        sink.leakDetected(Leaks.eofNotClosed().build());

        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), lines.toString());
        JSON.readTree(lines.get(0));
        assertEquals(100, lines.get(1).length(), "the cut event stays alone on its line");
        assertEquals("leak", JSON.readTree(lines.get(2)).get("event").asText(), "the next event is whole");
    }

    @Test
    void writesEachEventWithOneWriteEvenWhenItIsLarge() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        List<Integer> writes = new ArrayList<>();
        JsonLinesSink sink = JsonLinesSink.open(file, 1 << 20, new JsonLines(1024),
                new ReportPath(file, false, ReportPath.OWN_UID),
                (path, options) -> new ShortWritingChannel(FileChannel.open(path, options), null) {
                    @Override
                    public int write(ByteBuffer source) throws IOException {
                        writes.add(source.remaining());
                        return super.write(source);
                    }
                });
        StackTraceElement[] deep = new StackTraceElement[400];
        for (int i = 0; i < deep.length; i++) {
            deep[i] = Leaks.frame("com.acme.deep.Layer" + i, "call", "Layer" + i + ".java", i + 1);
        }

        sink.leakDetected(Leaks.eofNotClosed().allocatedAt(deep).build());

        assertEquals(1, writes.size(), "one write call: " + writes);
        assertTrue(writes.get(0) > 16 * 1024, "larger than any stream buffer: " + writes.get(0));
        assertEquals(writes.get(0).longValue(), Files.size(file));
    }

    @Test
    void twoWritersAppendingLargeEventsToOneFileLeaveOnlyWholeLines() throws Exception {
        // Two sinks, two open file descriptions: the same as two JVMs appending to one file.
        Path file = dir.resolve("shared.jsonl");
        StackTraceElement[] deep = new StackTraceElement[660];
        for (int i = 0; i < deep.length; i++) {
            deep[i] = Leaks.frame("com.acme.deep.Layer" + i, "call", "Layer" + i + ".java", i + 1);
        }
        Leak large = Leaks.eofNotClosed().allocatedAt(deep).build();
        int perWriter = 150;
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            JsonLinesSink sink = JsonLinesSink.open(file, 1L << 30, new JsonLines(1024), false);
            Thread writer = new Thread(() -> {
                for (int i = 0; i < perWriter; i++) {
                    sink.leakDetected(large);
                }
            });
            writer.setUncaughtExceptionHandler((thread, failure) -> failures.add(failure));
            writers.add(writer);
        }
        writers.forEach(Thread::start);
        for (Thread writer : writers) {
            writer.join(60_000);
        }

        assertEquals(List.of(), failures);
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.get(0).length() > 31 * 1024 && lines.get(0).length() < 33 * 1024,
                "31 KiB lines: " + lines.get(0).length());
        assertEquals(2 * perWriter, events(file).size(), "every line whole");
    }

    @Test
    void writesALoneSurrogateInAThreadNameAsValidJsonAndGoesOn() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        JsonLinesSink sink = open(file);

        sink.leakDetected(Leaks.eofNotClosed().threads("acceptor", "handler-before").build());
        sink.leakDetected(Leaks.eofNotClosed().threads("acceptor\uDC00", "handler-\uD800").build());
        sink.leakDetected(Leaks.eofNotClosed().threads("acceptor", "handler-after").build());

        List<JsonNode> events = events(file);
        assertEquals(3, events.size());
        assertEquals("handler-\uFFFD", events.get(1).get("thread").asText());
        assertEquals("acceptor\uFFFD", events.get(1).get("openThread").asText());
        assertEquals("handler-after", events.get(2).get("thread").asText());
    }

    @Test
    void refusesANamedPipeAtOnceWithoutWaitingForAReader() throws Exception {
        Path fifo = dir.resolve("report.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

        // Preemptive: before the fix, open() waited for a reader for ever.
        IOException refused = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(IOException.class,
                () -> JsonLinesSink.open(fifo, 1 << 20, new JsonLines(40), true)));
        assertTrue(refused.getMessage().contains("is a named pipe (FIFO), not a regular file"), refused.getMessage());
    }

    @Test
    void refusesADeviceAndAKernelFile() {
        IOException device = assertThrows(IOException.class, () -> open(Path.of("/dev/null")));
        assertTrue(device.getMessage().contains("/dev/null is a character device"), device.getMessage());
        IOException proc = assertThrows(IOException.class, () -> open(Path.of("/proc/self/comm")));
        assertTrue(proc.getMessage().contains("is a kernel file (on proc)"), proc.getMessage());
    }

    @Test
    void refusesASymbolicLinkUnlessTrusted() throws Exception {
        Path target = dir.resolve("root-only");
        Files.writeString(target, "secret\n");
        Path link = Files.createSymbolicLink(dir.resolve("leaks.jsonl"), target);

        IOException refused = assertThrows(IOException.class, () -> open(link));
        assertTrue(refused.getMessage().contains("is a symbolic link (set report-trust=on to follow it)"),
                refused.getMessage());
        assertEquals("secret\n", Files.readString(target), "nothing appended");

        JsonLinesSink.open(link, 1 << 20, new JsonLines(40), true).leakDetected(Leaks.eofNotClosed().build());
        assertEquals(2, Files.readAllLines(target).size(), "report-trust=on follows the link");
    }

    @Test
    void refusesAFileAnotherUserOwnsUnlessTrusted() throws Exception {
        Path file = dir.resolve("leaks.jsonl");
        Files.writeString(file, "");
        int owner = (Integer) Files.getAttribute(file, "unix:uid");
        int someoneElse = owner + 1;

        IOException refused = assertThrows(IOException.class, () -> JsonLinesSink.open(file, 1 << 20,
                new JsonLines(40), new ReportPath(file, false, someoneElse), FileChannel::open));
        assertTrue(refused.getMessage().contains("belongs to another user (uid " + owner), refused.getMessage());

        JsonLinesSink.open(file, 1 << 20, new JsonLines(40), new ReportPath(file, true, someoneElse),
                FileChannel::open).leakDetected(Leaks.eofNotClosed().build());
        assertEquals(1, events(file).size());
    }

    /** A file channel that writes at most a budget of bytes per write, as a filling disk does; null: no limit. */
    private static class ShortWritingChannel extends FileChannel {
        private final FileChannel real;
        private final AtomicInteger budget;

        ShortWritingChannel(FileChannel real, AtomicInteger budget) {
            this.real = real;
            this.budget = budget;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (budget == null || source.remaining() <= budget.get()) {
                return real.write(source);
            }
            ByteBuffer part = source.duplicate();
            part.limit(part.position() + budget.get());
            int written = real.write(part);
            source.position(source.position() + written);
            return written;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            throw new UnsupportedOperationException("the sink writes one buffer per event");
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            throw new UnsupportedOperationException("the sink only appends");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
