package dev.closewait.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The agent jar run as a command, as users run it: {@code java -jar closewait-agent.jar ...}. */
public record Cli(int status, String stdout, String stderr) {

    public static Cli run(Jdk jdk, Path workDir, String... arguments) throws Exception {
        return run(jdk, workDir, List.of(), arguments);
    }

    public static Cli run(Jdk jdk, Path workDir, List<String> jvmOptions, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(TestPaths.agentJar().toString());
        command.addAll(List.of(arguments));
        Path out = workDir.resolve("cli-stdout.txt");
        Path err = workDir.resolve("cli-stderr.txt");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("closewait command did not finish: " + command);
        }
        return new Cli(process.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
    }
}
