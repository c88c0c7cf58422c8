package dev.closewait.instrument;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HookTransformerTest {

    private static final String NET = "sun/nio/ch/Net";
    private static final long NEVER = Long.MAX_VALUE / 4;

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final FakeInstrumentation instrumentation = new FakeInstrumentation();

    @Test
    void namesExactlyTheClassesThatHaveRules() {
        assertEquals(SocketInstrumentation.TARGETS.keySet(), HookTransformer.CLASSES);
    }

    @Test
    void aThreadLoadingASocketClassBeforeTheStartIsReadyWaitsThenGetsItInstrumented() throws Exception {
        HookTransformer transformer = transformer(new Thread(() -> { }), NEVER);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            byte[] original = classFile(NET);
            Future<byte[]> loading = pool.submit(() -> transformer.transform(null, NET, null, null, original));
            awaitWaiting();
            assertFalse(loading.isDone(), "returned before the start was ready");

            transformer.ready(instrumentation);

            byte[] transformed = loading.get(30, TimeUnit.SECONDS);
            assertNotNull(transformed, "left unchanged although the start got ready");
            assertFalse(Arrays.equals(original, transformed));
            assertEquals(List.of(), errors);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theStartThreadNeverWaitsAndWhatItLoadedIsRetransformedWhenReady() throws Exception {
        HookTransformer transformer = transformer(Thread.currentThread(), NEVER);
        assertNull(transformer.transform(null, NET, null, null, classFile(NET)));

        instrumentation.loaded = new Class<?>[] {String.class, Class.forName("sun.nio.ch.Net"), List.class};
        transformer.ready(instrumentation);

        assertEquals(List.of("sun.nio.ch.Net"), instrumentation.retransformed);
        assertTrue(transformer.isReady());
        assertNotNull(transformer.transform(null, NET, null, null, classFile(NET)), "not transformed once ready");
    }

    @Test
    void otherClassesAreNeverHeldUp() {
        HookTransformer transformer = transformer(new Thread(() -> { }), NEVER);
        assertNull(transformer.transform(null, "java/lang/Thing", null, null, new byte[0]));
        assertNull(transformer.transform(getClass().getClassLoader(), NET, null, null, new byte[0]));
    }

    @Test
    void aFailedStartLetsTheWaitingThreadsGoWithTheirClassesUnchanged() throws Exception {
        HookTransformer transformer = transformer(new Thread(() -> { }), NEVER);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> loading = pool.submit(() -> transformer.transform(null, NET, null, null, classFile(NET)));
            awaitWaiting();

            transformer.abandon(instrumentation);

            assertNull(loading.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(transformer), instrumentation.removed);
            assertFalse(transformer.isReady());
            transformer.ready(instrumentation); // too late: stays abandoned
            assertFalse(transformer.isReady());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStartThatIsNeverReadyLetsTheThreadGoAfterTheBoundAndSaysSo() throws Exception {
        HookTransformer transformer = transformer(new Thread(() -> { }), 1_000_000L);
        assertNull(transformer.transform(null, NET, null, null, classFile(NET)));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("sun.nio.ch.Net: java.lang.IllegalStateException: not instrumented: "
                + "the agent's start was not ready within 1 ms"), errors.get(0));
    }

    @Test
    void keepsTheHostsInterrupt() throws Exception {
        HookTransformer transformer = transformer(new Thread(() -> { }), NEVER);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Thread> worker = new CompletableFuture<>();
            Future<Boolean> interrupted = pool.submit(() -> {
                worker.complete(Thread.currentThread());
                transformer.transform(null, NET, null, null, classFile(NET));
                return Thread.currentThread().isInterrupted();
            });
            awaitWaiting();
            worker.get().interrupt();
            awaitWaiting(); // waits on after the interrupt
            transformer.ready(instrumentation);
            assertTrue(interrupted.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private HookTransformer transformer(Thread starter, long maxWaitNanos) {
        HookTransformer transformer = new HookTransformer((type, cause) -> errors.add(type + ": " + cause),
                starter, maxWaitNanos);
        instrumentation.addTransformer(transformer, true);
        return transformer;
    }

    /** Until the pool's one thread waits in the transformer (bounded: 30 s). */
    private static void awaitWaiting() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
                if (thread.getKey().getState() == Thread.State.TIMED_WAITING && Arrays.stream(thread.getValue())
                        .anyMatch(frame -> frame.getMethodName().equals("awaitReady"))) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no thread came to wait in the transformer within 30 s");
    }

    private static byte[] classFile(String internalName) throws IOException {
        try (InputStream in = Object.class.getModule().getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Records what the transformer asks of it; nothing else is called. */
    private static final class FakeInstrumentation implements Instrumentation {
        Class<?>[] loaded = new Class<?>[0];
        final List<String> retransformed = new ArrayList<>();
        final List<ClassFileTransformer> removed = new ArrayList<>();

        @Override
        public void addTransformer(ClassFileTransformer transformer, boolean canRetransform) {
        }

        @Override
        public void addTransformer(ClassFileTransformer transformer) {
        }

        @Override
        public boolean removeTransformer(ClassFileTransformer transformer) {
            removed.add(transformer);
            return true;
        }

        @Override
        public boolean isRetransformClassesSupported() {
            return true;
        }

        @Override
        public void retransformClasses(Class<?>... classes) {
            for (Class<?> type : classes) {
                retransformed.add(type.getName());
            }
        }

        @Override
        public boolean isRedefineClassesSupported() {
            return false;
        }

        @Override
        public void redefineClasses(ClassDefinition... definitions) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isModifiableClass(Class<?> type) {
            return true;
        }

        @Override
        public Class<?>[] getAllLoadedClasses() {
            return loaded;
        }

        @Override
        public Class<?>[] getInitiatedClasses(ClassLoader loader) {
            return new Class<?>[0];
        }

        @Override
        public long getObjectSize(Object object) {
            return 0;
        }

        @Override
        public void appendToBootstrapClassLoaderSearch(JarFile jar) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void appendToSystemClassLoaderSearch(JarFile jar) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isNativeMethodPrefixSupported() {
            return false;
        }

        @Override
        public void setNativeMethodPrefix(ClassFileTransformer transformer, String prefix) {
        }

        @Override
        public void redefineModule(Module module, Set<Module> extraReads, Map<String, Set<Module>> extraExports,
                                   Map<String, Set<Module>> extraOpens, Set<Class<?>> extraUses,
                                   Map<Class<?>, List<Class<?>>> extraProvides) {
        }

        @Override
        public boolean isModifiableModule(Module module) {
            return true;
        }
    }
}
