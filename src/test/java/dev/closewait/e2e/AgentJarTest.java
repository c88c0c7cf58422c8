package dev.closewait.e2e;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent jar is one self-contained jar that can clash with nothing in the host. */
class AgentJarTest {

    @Test
    void holdsOnlyTheAgentsOwnPackagesWithByteBuddyRelocated() throws Exception {
        List<String> foreign = new ArrayList<>();
        boolean relocatedByteBuddy = false;
        try (JarFile jar = new JarFile(TestPaths.agentJar().toFile())) {
            for (JarEntry entry : jar.stream().toList()) {
                String name = entry.getName();
                relocatedByteBuddy |= name.startsWith("dev/closewait/shaded/bytebuddy/");
                boolean metadata = name.startsWith("META-INF/") && !name.startsWith("META-INF/versions/");
                if (!name.startsWith("dev/closewait/") && !metadata && !name.equals("dev/")) {
                    foreign.add(name);
                }
            }
        }
        assertEquals(List.of(), foreign, "entries outside dev/closewait/");
        assertTrue(relocatedByteBuddy, "Byte Buddy is relocated under dev/closewait/shaded/");
    }

    /**
     * Shade minimisation keeps only what the agent runs: of Byte Buddy, the core of its bundled ASM (the hooks are
     * written with it directly, see docs/architecture.md), none of Byte Buddy's own API, ASM's tree, commons or
     * signature packages.
     */
    @Test
    void shipsOnlyTheAsmCoreOfByteBuddy() throws Exception {
        Map<String, Integer> classesByPackage = new TreeMap<>();
        try (JarFile jar = new JarFile(TestPaths.agentJar().toFile())) {
            for (JarEntry entry : jar.stream().toList()) {
                String name = entry.getName();
                if (name.endsWith(".class")) {
                    classesByPackage.merge(name.substring(0, name.lastIndexOf('/') + 1), 1, Integer::sum);
                }
            }
        }
        Set<String> shaded = new TreeSet<>();
        for (String pkg : classesByPackage.keySet()) {
            if (pkg.startsWith("dev/closewait/shaded/")) {
                shaded.add(pkg);
            } else {
                assertTrue(pkg.matches("dev/closewait/[a-z]+/"), "one level of the agent's own packages: " + pkg);
            }
        }
        assertEquals(Set.of("dev/closewait/shaded/bytebuddy/jar/asm/"), shaded, classesByPackage.toString());
        int asm = classesByPackage.get("dev/closewait/shaded/bytebuddy/jar/asm/");
        assertTrue(asm <= 40, asm + " ASM classes: " + classesByPackage);
    }

    /**
     * The agent's own class loader (the agent runs in it) finds the agent's classes and resources in the jar, not on
     * the class path, and shares MetricsBridge with the loader that loaded the entry point.
     */
    @Test
    void theAgentsClassLoaderReadsTheJarAndSharesOnlyTheMetricsBridge() throws Exception {
        try (URLClassLoader entry = new URLClassLoader(new URL[] {TestPaths.agentJar().toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Constructor<?> constructor = Class.forName("dev.closewait.agent.AgentClassLoader", true, entry)
                    .getDeclaredConstructor(File.class, ClassLoader.class);
            constructor.setAccessible(true);
            ClassLoader agent = (ClassLoader) constructor.newInstance(TestPaths.agentJar().toFile(), entry);

            Class<?> binding = Class.forName("dev.closewait.metrics.MicrometerAutoBinding", false, agent);
            assertSame(agent, binding.getClassLoader());
            assertNotNull(binding.getPackage().getImplementationVersion(), "the agent's version, from the manifest");
            try (InputStream binder = binding.getResourceAsStream("closewait-micrometer.jar")) {
                assertNotNull(binder, "the embedded binder jar, as MicrometerAutoBinding reads it");
            }
            assertNotNull(agent.getResource("dev/closewait/bootstrap/SocketHooks.class"));
            Class<?> bridge = Class.forName("dev.closewait.bootstrap.MetricsBridge", false, agent);
            assertSame(entry, bridge.getClassLoader(), "MetricsBridge comes from the entry point's loader");
            assertSame(agent, Class.forName("dev.closewait.bootstrap.JdkFields", false, agent).getClassLoader(),
                    "JdkFields, to which the JDK is opened, is the agent loader's own");
        }
    }

    @Test
    void declaresPremainAgentMainAndRetransformation() throws Exception {
        try (JarFile jar = new JarFile(TestPaths.agentJar().toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertEquals("dev.closewait.agent.ClosewaitAgent", manifest.getValue("Premain-Class"));
            assertEquals("dev.closewait.agent.ClosewaitAgent", manifest.getValue("Agent-Class"));
            assertEquals("true", manifest.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void carriesTheHooksAsAClassFileAndNothingForTheBootstrapClassPath() throws Exception {
        try (JarFile jar = new JarFile(TestPaths.agentJar().toFile())) {
            // Defined in java.base at start (renamed), never appended to the bootstrap class path.
            assertNotNull(jar.getJarEntry("dev/closewait/bootstrap/SocketHooks.class"), "hooks class file");
            List<String> nestedJars = jar.stream().map(JarEntry::getName).filter(name -> name.endsWith(".jar")).toList();
            assertEquals(List.of("dev/closewait/metrics/closewait-micrometer.jar"), nestedJars);
        }
    }

    @Test
    void embedsTheMicrometerBinderJarWithoutMicrometer() throws Exception {
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(TestPaths.agentJar().toFile())) {
            JarEntry binder = jar.getJarEntry("dev/closewait/metrics/closewait-micrometer.jar");
            assertNotNull(binder, "embedded Micrometer binder jar");
            try (InputStream in = jar.getInputStream(binder); JarInputStream nested = new JarInputStream(in)) {
                for (JarEntry entry = nested.getNextJarEntry(); entry != null; entry = nested.getNextJarEntry()) {
                    if (entry.getName().endsWith(".class")) {
                        entries.add(entry.getName());
                    }
                }
            }
        }
        assertTrue(entries.contains("dev/closewait/micrometer/ClosewaitMeterBinder.class"), entries.toString());
        assertTrue(entries.stream().allMatch(name -> name.startsWith("dev/closewait/micrometer/")), entries.toString());
    }
}
