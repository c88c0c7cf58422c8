package dev.closewait.agent;

import dev.closewait.kernel.ProcessId;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * How {@code closewait-agent.jar report|status <pid>} reaches a running agent without loading it again (which would
 * print JDK 21+'s dynamic-agent warning every time): a private directory (mode 700) named in a system property, which
 * the command reads through the attach API. The command drops {@code NAME.request} (one word: "table", "json" or
 * "status"); the detector thread answers with {@code NAME.response}, written as {@code NAME.partial} and renamed.
 *
 * <p>Created off the application's main thread, and without {@code Files.createTempDirectory}, whose
 * {@code SecureRandom} costs 22–27 ms of a cold JVM's CPU (JDK 17 and 25, measured); removed at exit:
 * {@link #close} first stops every later answer, so an answer already scheduled never finds the directory gone.
 * Directories of JVMs that died without their exit hooks ({@code kill -9}) are removed by the next agent that starts
 * with the same temporary directory.
 */
final class Mailbox {

    static final int MAX_SUSPECTS = 10_000;
    static final String PREFIX = "closewait-";
    /** A request is one word; anything longer was not written by the command. */
    private static final int MAX_REQUEST_BYTES = 64;
    private static final String REQUEST = ".request";

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
        Path directory = createPrivateDirectory(temporaryDirectory, PREFIX + ProcessId.current() + "-");
        // The real path: the command refuses a mailbox reached through a symbolic link.
        return new Mailbox(directory.toRealPath(), answers);
    }

    /** Attempts at a free name before giving up: each fails only if that very name exists already. */
    static final int NAME_ATTEMPTS = 16;

    /**
     * A new directory {@code prefix + random hex} under {@code parent}, owner-only from its creation (mkdir(2) with
     * mode 700: atomic, it fails on any existing entry, symbolic links included, so nobody can hand the agent a
     * directory of theirs). The name need not be unguessable: the command trusts a mailbox only if it belongs to the
     * target's user with mode 700 (see {@code MailboxClient}); the random part only keeps names apart.
     *
     * @throws IOException if {@link #NAME_ATTEMPTS} names were all taken, or the directory cannot be created
     */
    static Path createPrivateDirectory(Path parent, String prefix) throws IOException {
        FileAlreadyExistsException taken = null;
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
            Path candidate = parent.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                return Files.createDirectory(candidate,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                taken = e;
            }
        }
        throw taken;
    }

    Path directory() {
        return directory;
    }

    /**
     * Answers every waiting request; called on the detector thread once a second. Does nothing once closed.
     *
     * <p>The directory is listed with {@code File.list} (one native opendir/readdir) and the names are matched by
     * their suffix: {@code Files.newDirectoryStream} with a glob compiled the glob into a regular expression on every
     * call, in code that runs too rarely to be compiled (issue 16).
     */
    synchronized void answer() throws IOException {
        if (closed) {
            return;
        }
        String[] names = directory.toFile().list();
        if (names == null) {
            throw new IOException("cannot list " + directory);
        }
        for (String name : names) {
            if (!name.endsWith(REQUEST) || name.length() == REQUEST.length()) {
                continue;
            }
            String base = name.substring(0, name.length() - REQUEST.length());
            Path request = directory.resolve(name);
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
