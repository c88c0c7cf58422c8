package dev.closewait.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;

/**
 * How {@code closewait-agent.jar report|status <pid>} reaches a running agent without loading it again (which would
 * print JDK 21+'s dynamic-agent warning every time): a private directory (mode 700) named in a system property, which
 * the command reads through the attach API. The command drops {@code NAME.request} (one word: "table", "json" or
 * "status"); the detector thread answers with {@code NAME.response}, written as {@code NAME.partial} and renamed.
 *
 * <p>Created off the application's main thread (a temporary directory's name comes from a {@code SecureRandom}, whose
 * seeding costs tens of milliseconds), and removed at exit: {@link #close} first stops every later answer, so an
 * answer already scheduled never finds the directory gone. Directories of JVMs that died without their exit hooks
 * ({@code kill -9}) are removed by the next agent that starts with the same temporary directory.
 */
final class Mailbox {

    static final int MAX_SUSPECTS = 10_000;
    static final String PREFIX = "closewait-";
    /** A request is one word; anything longer was not written by the command. */
    private static final int MAX_REQUEST_BYTES = 64;

    private final Path directory;
    private final Function<String, String> answers;
    private boolean closed; // guarded by this

    private Mailbox(Path directory, Function<String, String> answers) {
        this.directory = directory;
        this.answers = answers;
    }

    /**
     * Creates the directory under {@code temporaryDirectory} (owner-only, named {@code closewait-PID-RANDOM}) after
     * removing those left by dead JVMs there.
     *
     * @param answers renders the answer to a request word; never given anything but the words above
     */
    static Mailbox open(Path temporaryDirectory, Function<String, String> answers) throws IOException {
        StaleTempFiles.remove(temporaryDirectory);
        Path directory = Files.createTempDirectory(temporaryDirectory, PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // The real path: the command refuses a mailbox reached through a symbolic link.
        return new Mailbox(directory.toRealPath(), answers);
    }

    Path directory() {
        return directory;
    }

    /** Answers every waiting request; called on the detector thread. Does nothing once closed. */
    synchronized void answer() throws IOException {
        if (closed) {
            return;
        }
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(directory, "*.request")) {
            for (Path request : requests) {
                String name = request.getFileName().toString();
                String base = name.substring(0, name.length() - ".request".length());
                try {
                    String format = read(request);
                    Path partial = directory.resolve(base + ".partial");
                    Files.writeString(partial, answers.apply(format), StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    Files.move(partial, directory.resolve(base + ".response"), StandardCopyOption.ATOMIC_MOVE);
                    Files.deleteIfExists(request);
                } catch (NoSuchFileException gaveUp) {
                    // The command stopped waiting and took its request back.
                }
            }
        }
    }

    /** The request word: at most 64 bytes of a regular file, never through a link. */
    private static String read(Path request) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(request, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            Files.deleteIfExists(request);
            throw new NoSuchFileException(request.toString(), null, "not a regular file");
        }
        try (InputStream in = Files.newInputStream(request, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes(MAX_REQUEST_BYTES), StandardCharsets.UTF_8).trim();
        }
    }

    /** Stops answering and removes the directory; at exit. Never throws. */
    synchronized void close() {
        closed = true;
        StaleTempFiles.removeDirectory(directory);
    }
}
