package dev.closewait.agent;

import dev.closewait.core.Suspect;
import dev.closewait.report.JsonLines;
import dev.closewait.report.SuspectTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * How {@code closewait-agent.jar report <pid>} reaches a running agent without loading it again (which would print
 * JDK 21+'s dynamic-agent warning every time): a private directory (mode 700) named in a system property, which the
 * command reads through the attach API. The command drops {@code NAME.request} ("table" or "json"); the detector
 * thread answers with {@code NAME.response}.
 */
final class Mailbox {

    static final int MAX_SUSPECTS = 10_000;

    private final Path directory;
    private final Supplier<List<Suspect>> suspects;
    private final JsonLines json;

    private Mailbox(Path directory, Supplier<List<Suspect>> suspects, JsonLines json) {
        this.directory = directory;
        this.suspects = suspects;
        this.json = json;
    }

    static Mailbox open(Supplier<List<Suspect>> suspects, JsonLines json) throws IOException {
        Path directory = Files.createTempDirectory("closewait-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        System.setProperty(AgentProperties.MAILBOX, directory.toString());
        return new Mailbox(directory, suspects, json);
    }

    /** Answers every waiting request; called on the detector thread. */
    void answer() throws IOException {
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(directory, "*.request")) {
            for (Path request : requests) {
                String name = request.getFileName().toString();
                String base = name.substring(0, name.length() - ".request".length());
                String format = Files.readString(request, StandardCharsets.UTF_8).trim();
                Path partial = directory.resolve(base + ".partial");
                Files.writeString(partial, render(format), StandardCharsets.UTF_8);
                Files.move(partial, directory.resolve(base + ".response"), StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(request);
            }
        }
    }

    private String render(String format) {
        List<Suspect> current = suspects.get();
        if (format.equals("json")) {
            return current.stream().map(json::suspect).collect(Collectors.joining("\n", "", current.isEmpty() ? "" : "\n"));
        }
        return SuspectTable.render(current);
    }

    /** Removes the directory at exit. */
    void delete() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException | RuntimeException ignored) {
            // best effort at exit
        }
    }
}
