package dev.closewait.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * Puts the bridge jar (the static hooks that advice inside java.base calls) on the bootstrap class path. Only the
 * bridge goes there: the rest of the agent stays in the system class loader, invisible to java.base.
 */
final class BootstrapJar {

    static final String RESOURCE = "closewait-bootstrap.jar";

    private BootstrapJar() {
    }

    static void appendTo(Instrumentation instrumentation) throws IOException {
        Path jar = Files.createTempFile("closewait-bootstrap-" + ProcessHandle.current().pid() + "-", ".jar");
        jar.toFile().deleteOnExit();
        try (InputStream bridge = BootstrapJar.class.getResourceAsStream(RESOURCE)) {
            if (bridge == null) {
                throw new IOException("the agent jar lacks its " + RESOURCE + " resource");
            }
            Files.copy(bridge, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
    }
}
