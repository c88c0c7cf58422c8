package dev.closewait.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Jars the tests build from their own compiled classes (class data sharing archives jars, agents are jars). */
final class TestJars {

    private TestJars() {
    }

    /** Writes {@code classes} into {@code jar}, with {@code manifest} (null: none); returns {@code jar}. */
    static Path write(Path jar, Manifest manifest, List<Class<?>> classes) throws IOException {
        try (JarOutputStream out = manifest == null ? new JarOutputStream(Files.newOutputStream(jar))
                : new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Class<?> type : classes) {
                String entry = type.getName().replace('.', '/') + ".class";
                try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
                    out.putNextEntry(new JarEntry(entry));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }
}
