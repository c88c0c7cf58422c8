package dev.closewait.e2e;

import java.nio.file.Path;

/** A JDK the suite starts child JVMs on. */
public record Jdk(Path home, int major) {

    public Path java() {
        return home.resolve("bin/java");
    }

    public Path keytool() {
        return home.resolve("bin/keytool");
    }

    @Override
    public String toString() {
        return "JDK " + major;
    }
}
