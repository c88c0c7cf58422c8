package dev.closewait.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the workloads need to know of the JVMs they start. */
final class Jvms {

    private Jvms() {
    }

    static String javaVersion(String jdk) throws Exception {
        Process process = new ProcessBuilder(jdk + "/bin/java", "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        Matcher version = Pattern.compile("version \"([^\"]+)\"").matcher(text);
        Matcher vendor = Pattern.compile("\\n(.*) Runtime Environment").matcher(text);
        return "JDK " + (version.find() ? version.group(1) : "?")
                + (text.contains("Temurin") ? " (Temurin)" : vendor.find() ? " (" + vendor.group(1).trim() + ")" : "");
    }

    /** A jar holding {@link NoopAgent}, written once per run. */
    static Path noopAgentJar() throws IOException {
        Path jar = Files.createTempFile("closewait-bench-noop-agent-", ".jar");
        jar.toFile().deleteOnExit();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoopAgent.class.getName());
        String entry = NoopAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream classFile = NoopAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
