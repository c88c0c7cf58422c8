package dev.closewait.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Installs the transformer that inserts the hooks, and retransforms the target classes already loaded. Knows the
 * targets by name only: {@link SocketInstrumentation}'s rules and ASM are loaded the first time a target class is
 * transformed, which in most JVMs is when the application first opens a socket, not at start.
 */
public final class HookTransformer implements ClassFileTransformer {

    /** The internal names of {@link SocketInstrumentation#TARGETS}' classes (a test keeps the two equal). */
    static final Set<String> CLASSES = Set.of(
            "sun/nio/ch/NioSocketImpl",
            "sun/nio/ch/Net",
            "sun/nio/ch/SocketChannelImpl",
            "sun/nio/ch/AsynchronousSocketChannelImpl",
            "sun/nio/ch/UnixAsynchronousSocketChannelImpl",
            "sun/nio/ch/IOUtil",
            "sun/security/ssl/SSLSocketImpl$AppInputStream",
            "sun/security/ssl/SSLSocketImpl",
            "sun/security/ssl/SSLServerSocketImpl");

    private final BiConsumer<String, Throwable> onError;

    private HookTransformer(BiConsumer<String, Throwable> onError) {
        this.onError = onError;
    }

    /**
     * Installs the hooks and retransforms the target classes already loaded. Problems with single classes go to
     * {@code onError} (class name, cause); they never stop the others.
     */
    public static void install(Instrumentation instrumentation, BiConsumer<String, Throwable> onError) {
        instrumentation.addTransformer(new HookTransformer(onError), true);
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded.getClassLoader() == null && CLASSES.contains(loaded.getName().replace('.', '/'))
                    && instrumentation.isModifiableClass(loaded)) {
                try {
                    instrumentation.retransformClasses(loaded);
                } catch (Throwable t) {
                    onError.accept(loaded.getName(), t);
                }
            }
        }
    }

    /** Loads the rules and ASM ahead of the first socket; for a background thread. */
    public static void prepare() {
        SocketInstrumentation.TARGETS.size();
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (loader != null || className == null || !CLASSES.contains(className)) {
            return null;
        }
        try {
            return SocketInstrumentation.transform(className, classFile);
        } catch (Throwable t) {
            onError.accept(className.replace('/', '.'), t);
            return null;
        }
    }
}
