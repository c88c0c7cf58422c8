package dev.closewait.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * Puts the bridge jar (the static hooks that advice inside java.base calls) on the bootstrap class path. Only the
 * bridge goes there: the rest of the agent stays in the system class loader, invisible to java.base.
 *
 * <p>The copy is made with java.io alone: {@code Files.createTempFile} seeds a {@code SecureRandom} and
 * {@code ProcessHandle} starts a thread pool, together about 40 ms of JVM start-up (docs/performance.md).
 */
final class BootstrapJar {

    static final String RESOURCE = "closewait-bootstrap.jar";
    private static final int MAX_NAME_ATTEMPTS = 100;

    private BootstrapJar() {
    }

    static void appendTo(Instrumentation instrumentation) throws IOException {
        File jar = createOwnerOnlyFile(new File(System.getProperty("java.io.tmpdir")));
        jar.deleteOnExit();
        try (InputStream bridge = BootstrapJar.class.getResourceAsStream(RESOURCE);
             OutputStream out = new FileOutputStream(jar)) {
            if (bridge == null) {
                throw new IOException("the agent jar lacks its " + RESOURCE + " resource");
            }
            bridge.transferTo(out);
        }
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
    }

    /** A new file that did not exist before (created atomically, never through an existing link), rw for us only. */
    private static File createOwnerOnlyFile(File directory) throws IOException {
        long unique = System.nanoTime();
        for (int attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
            File file = new File(directory, "closewait-bootstrap-" + Long.toHexString(unique + attempt) + ".jar");
            if (file.createNewFile()) {
                boolean ownerOnly = file.setReadable(false, false) && file.setWritable(false, false)
                        && file.setReadable(true, true) && file.setWritable(true, true);
                if (!ownerOnly) {
                    throw new IOException("cannot restrict the permissions of " + file);
                }
                return file;
            }
        }
        throw new IOException("cannot create a file for the bootstrap bridge in " + directory);
    }
}
