package dev.closewait.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The {@code config=PATH} option: a Java properties file of options ({@code grace=10s}, or {@code closewait.grace=10s}),
 * the weakest source, below the environment. Read once at start; an unreadable file is a problem line like any bad
 * option, and the other sources apply as if there were no file.
 */
final class ConfigFile {

    /** Larger files are refused: a configuration has a dozen lines, and the agent reads it on the JVM's main thread. */
    static final int MAX_BYTES = 64 * 1024;

    private ConfigFile() {
    }

    /** The file named by the strongest valid {@code config} entry among these, or null. */
    static Path chosen(List<Map.Entry<String, String>> entries, List<String> problems) {
        String chosen = null;
        for (Map.Entry<String, String> entry : entries) {
            if (entry.getKey().equals("config")) {
                chosen = entry.getValue().trim();
            }
        }
        if (chosen == null) {
            return null;
        }
        if (chosen.isEmpty()) {
            problems.add("closewait: option 'config' is empty: expected the path of a properties file of options; "
                    + "using none.");
            return null;
        }
        try {
            return Path.of(chosen);
        } catch (InvalidPathException e) {
            problems.add("closewait: option 'config' has invalid path '" + chosen + "' (" + e.getReason()
                    + "): expected the path of a properties file of options; using none.");
            return null;
        }
    }

    static String origin(Path file) {
        return "config file " + file;
    }

    /** Adds the file's options to {@code values}, sorted by key; a file that cannot be read adds a problem line. */
    static void read(Path file, List<Map.Entry<String, String>> values, List<String> problems) {
        Properties properties = new Properties();
        try {
            if (!Files.isRegularFile(file)) {
                throw new IOException(Files.exists(file) ? "not a regular file" : "no such file");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw new IOException("larger than " + MAX_BYTES / 1024 + " KiB");
            }
            properties.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            problems.add("closewait: option 'config' names a file that cannot be read (" + file + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); using none.");
            return;
        }
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            String key = name.startsWith(OptionsParser.PROPERTY_PREFIX)
                    ? name.substring(OptionsParser.PROPERTY_PREFIX.length()) : name;
            if (key.equals("config")) {
                problems.add("closewait: option 'config' in config file " + file + " ignored: a config file cannot "
                        + "name another.");
                continue;
            }
            values.add(Map.entry(key, properties.getProperty(name)));
        }
    }
}
