package dev.closewait.config;

import dev.closewait.text.SafeText;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads options from a properties file named by {@code config}, the environment ({@code CLOSEWAIT_KEY}), system
 * properties ({@code -Dclosewait.key}) and the agent argument ({@code key=value,key=value}), in that order, each
 * valid value overriding the one before: the agent argument wins. Never throws: a bad key or value (in the file too)
 * becomes a problem line naming it and what is allowed, and the value it would have replaced (from a weaker source,
 * else the default) is kept. Remembers where each effective value came from, for the status command.
 */
public final class OptionsParser {

    public static final String PROPERTY_PREFIX = "closewait.";
    public static final String ENV_PREFIX = "CLOSEWAIT_";

    private static final Duration MIN_GRACE = Duration.ofMillis(100);
    private static final Duration MAX_GRACE = Duration.ofHours(24);
    private static final int MAX_STACK_DEPTH = 1024;
    private static final int MAX_PORT = 65535;
    private static final int MAX_METRICS_SITES = 100;
    private static final int MAX_ECHO = 200;

    /**
     * The value patterns, compiled the first time a value needs one: with no options given (the common start) none
     * is, and compiling them (Unicode classes, about 3 ms of a cold JVM) is no cost of the agent's start.
     */
    private static final class Patterns {
        /** Host names, IPv4 and IPv6 addresses (with or without brackets); whether it resolves is found at bind. */
        static final Pattern HOST = Pattern.compile("[\\p{Alnum}._:%\\-\\[\\]]{1,253}");
        static final Pattern ASCII_NUMBER = Pattern.compile("[0-9]{1,9}");
        static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
        /** One package or class name segment; prefixes are checked segment by segment, see {@link #validPrefix}. */
        static final Pattern SEGMENT = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*");
        static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3})?)%");
        static final Pattern SIZE = Pattern.compile("(\\d{1,9})(k|m|g)");

        private Patterns() {
        }
    }

    /** Every key, in the order the help text lists them. */
    public static final List<String> KEYS =
            List.of("grace", "report", "report-max-size", "stack-depth", "stack-sample", "include", "exclude", "log",
                    "kernel", "metrics-port", "metrics-host", "metrics-sites", "enabled", "config", "churn",
                    "churn-warn", "app-packages", "library-packages", "report-trust");

    /** At most this many problem lines are printed; the rest are counted in one more line. */
    static final int MAX_PROBLEM_LINES = 10;

    private OptionsParser() {
    }

    /**
     * Keeps the first {@value #MAX_PROBLEM_LINES} problems and counts the rest in one line: a config file that is
     * not closewait's (the application's own properties, or worse) printed one 300-character line per key, 10,873
     * lines for a 64 KB file (a review, 2026-12-01), and each printed key is a line of that file on stderr.
     */
    static void capProblems(List<String> problems) {
        int over = problems.size() - MAX_PROBLEM_LINES;
        if (over > 0) {
            problems.subList(MAX_PROBLEM_LINES, problems.size()).clear();
            problems.add("closewait: " + over + " more problems with the options were not printed; check the "
                    + "config file and the other sources named above.");
        }
    }

    public static ParsedOptions parse(String agentArgs, Properties systemProperties, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        List<Map.Entry<String, String>> values = new ArrayList<>();
        // Where each entry of values came from, index for index: the weakest source first.
        List<String> origins = new ArrayList<>();
        List<Map.Entry<String, String>> stronger = new ArrayList<>();
        collectEnvironment(environment, stronger);
        label(origins, stronger.size(), ENVIRONMENT);
        collectProperties(systemProperties, stronger);
        label(origins, stronger.size(), PROPERTY);
        collectAgentArgs(agentArgs, stronger, problems);
        label(origins, stronger.size(), AGENT_ARGUMENT);
        Path configFile = ConfigFile.chosen(stronger, problems);
        if (configFile != null) {
            ConfigFile.read(configFile, values, problems);
            origins.addAll(0, java.util.Collections.nCopies(values.size(), ConfigFile.origin(configFile)));
        }
        values.addAll(stronger);
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, String> accepted = new LinkedHashMap<>();
        boolean enabled = true;

        AgentOptions defaults = AgentOptions.defaults();
        Duration grace = defaults.grace();
        Path report = defaults.report();
        int stackDepth = defaults.stackDepth();
        List<String> include = defaults.include();
        List<String> exclude = defaults.exclude();
        LogTarget log = defaults.log();
        boolean kernel = defaults.kernel();
        long reportMaxBytes = defaults.reportMaxBytes();
        int stackSample = defaults.stackSample();
        int metricsPort = defaults.metrics().port();
        String metricsHost = defaults.metrics().host();
        int metricsSites = defaults.metrics().sites();
        List<String> appPackages = defaults.appPackages();
        List<String> libraryPackages = defaults.libraryPackages();
        ChurnOptions churn = defaults.churn();
        boolean reportTrust = defaults.reportTrust();

        // A key's problems stand only if no stronger source gives it a valid value afterwards.
        Map<String, List<String>> pending = new LinkedHashMap<>();
        Set<String> unknownKeys = new HashSet<>();
        for (int index = 0; index < values.size(); index++) {
            Map.Entry<String, String> entry = values.get(index);
            String key = entry.getKey();
            String value = entry.getValue().trim();
            List<String> found = new ArrayList<>();
            switch (key) {
                case "grace" -> grace = parseGrace(value, grace, found);
                case "report" -> report = parseReport(value, report, found);
                case "stack-depth" -> stackDepth = parseStackDepth(value, stackDepth, found);
                case "include" -> include = parsePrefixes(key, value, include, found);
                case "exclude" -> exclude = parsePrefixes(key, value, exclude, found);
                case "log" -> log = parseLog(value, log, found);
                case "kernel" -> kernel = parseSwitch(key, value, kernel, found);
                case "report-trust" -> reportTrust = parseSwitch(key, value, reportTrust, found);
                case "report-max-size" -> reportMaxBytes = parseSize(key, value, reportMaxBytes, found);
                case "stack-sample" -> stackSample = parseStackSample(value, stackSample, found);
                case "metrics-port" -> metricsPort = parseMetricsPort(value, metricsPort, found);
                case "metrics-host" -> metricsHost = parseMetricsHost(value, metricsHost, found);
                case "metrics-sites" -> metricsSites = parseMetricsSites(value, metricsSites, found);
                case "app-packages" -> appPackages = parsePrefixes(key, value, appPackages, found);
                case "library-packages" -> libraryPackages = parsePrefixes(key, value, libraryPackages, found);
                case "churn" -> churn = new ChurnOptions(parseSwitch(key, value, churn.on(), found),
                        churn.warnCount(), churn.warnPercent());
                case "churn-warn" -> churn = parseChurnWarn(value, churn, found);
                case "enabled" -> enabled = parseSwitch(key, value, enabled, found);
                case "config" -> {
                    // read above, before every other source
                }
                default -> {
                    if (unknownKeys.add(key)) { // once per key, however often it is given
                        problems.add("closewait: unknown option '" + echo(key) + "' ignored; allowed options: "
                                + String.join(", ", KEYS) + ".");
                    }
                }
            }
            if (found.isEmpty()) {
                pending.remove(key);
                if (KEYS.contains(key)) {
                    sources.put(key, origin(origins.get(index), key));
                    accepted.put(key, value);
                }
            } else {
                List<String> earlier = pending.get(key);
                if (earlier == null) {
                    pending.put(key, found);
                } else {
                    earlier.addAll(found);
                }
            }
        }
        for (List<String> unresolved : pending.values()) {
            problems.addAll(unresolved);
        }
        capProblems(problems);
        MetricsOptions metrics = new MetricsOptions(metricsPort, metricsHost, metricsSites);
        return new ParsedOptions(new AgentOptions(grace, report, stackDepth, include, exclude, log, kernel,
                reportMaxBytes, metrics, stackSample, churn, appPackages, libraryPackages, reportTrust), problems,
                enabled, sources, accepted);
    }

    private static final String ENVIRONMENT = "environment";
    private static final String PROPERTY = "property";
    private static final String AGENT_ARGUMENT = "agent argument";

    private static void label(List<String> origins, int size, String origin) {
        while (origins.size() < size) {
            origins.add(origin);
        }
    }

    /** The source as a user would look for it: {@code CLOSEWAIT_GRACE}, {@code -Dclosewait.grace}, .... */
    private static String origin(String kind, String key) {
        return switch (kind) {
            case ENVIRONMENT -> "environment " + ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
            case PROPERTY -> "-D" + PROPERTY_PREFIX + key;
            default -> kind;
        };
    }

    private static void collectEnvironment(Map<String, String> environment, List<Map.Entry<String, String>> values) {
        for (String key : KEYS) {
            String value = environment.get(ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (value != null) {
                values.add(Map.entry(key, value));
            }
        }
    }

    private static void collectProperties(Properties properties, List<Map.Entry<String, String>> values) {
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (name.startsWith(PROPERTY_PREFIX) && name.length() > PROPERTY_PREFIX.length()) {
                values.add(Map.entry(name.substring(PROPERTY_PREFIX.length()), properties.getProperty(name)));
            }
        }
    }

    private static void collectAgentArgs(String agentArgs, List<Map.Entry<String, String>> values,
                                         List<String> problems) {
        if (agentArgs == null || agentArgs.isBlank()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (String pair : agentArgs.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals < 0 || pair.substring(0, equals).isBlank()) {
                problems.add("closewait: agent argument '" + echo(pair.trim()) + "' ignored: expected key=value, "
                        + "with key one of " + String.join(", ", KEYS) + ". (Loaded with jcmd JVMTI.agent_load? "
                        + "jcmd takes key=value apart unless quoted: '\"grace=2s,report=FILE\"'.)");
                continue;
            }
            String key = pair.substring(0, equals).trim();
            if (!seen.add(key) && repeated.add(key)) { // said once per key
                problems.add("closewait: option '" + echo(key) + "' is given more than once in the agent argument; "
                        + "they are read in order, and a later valid value replaces an earlier one.");
            }
            values.add(Map.entry(key, pair.substring(equals + 1)));
        }
    }

    private static Duration parseGrace(String value, Duration current, List<String> problems) {
        Duration parsed = parseDuration(value);
        if (parsed == null || parsed.compareTo(MIN_GRACE) < 0 || parsed.compareTo(MAX_GRACE) > 0) {
            problems.add("closewait: option 'grace' has invalid value '" + echo(value) + "': expected a duration such as "
                    + "500ms, 10s, 2m or 1h, from 100ms to 24h; using " + format(current) + ".");
            return current;
        }
        return parsed;
    }

    static Duration parseDuration(String value) {
        Matcher matcher = Patterns.DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    private static Path parseReport(String value, Path current, List<String> problems) {
        if (value.isEmpty()) {
            problems.add("closewait: option 'report' is empty: expected the path of a JSON Lines file to append to;"
                    + " using " + (current == null ? "none" : current) + ".");
            return current;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            problems.add("closewait: option 'report' has invalid path '" + echo(value) + "' (" + echo(e.getReason())
                    + "): expected the path of a JSON Lines file to append to; using " + (current == null ? "none" : current)
                    + ".");
            return current;
        }
    }

    private static int parseStackDepth(String value, int current, List<String> problems) {
        Integer depth = wholeNumber(value, 1, MAX_STACK_DEPTH);
        if (depth != null) {
            return depth;
        }
        problems.add("closewait: option 'stack-depth' has invalid value '" + echo(value) + "': expected a whole number "
                + "from 1 to " + MAX_STACK_DEPTH + "; using " + current + ".");
        return current;
    }

    private static int parseMetricsPort(String value, int current, List<String> problems) {
        Integer port = wholeNumber(value, 1, MAX_PORT);
        if (port != null) {
            return port;
        }
        problems.add("closewait: option 'metrics-port' has invalid value '" + echo(value) + "': expected a port number "
                + "from 1 to " + MAX_PORT + "; " + (current > 0 ? "using " + current + "." : "no metrics endpoint."));
        return current;
    }

    private static String parseMetricsHost(String value, String current, List<String> problems) {
        if (Patterns.HOST.matcher(value).matches()) {
            return value;
        }
        problems.add("closewait: option 'metrics-host' has invalid value '" + echo(value) + "': expected a host name or "
                + "IP address to listen on, such as 127.0.0.1, ::1 or 0.0.0.0; using " + current + ".");
        return current;
    }

    private static int parseMetricsSites(String value, int current, List<String> problems) {
        Integer sites = wholeNumber(value, 0, MAX_METRICS_SITES);
        if (sites != null) {
            return sites;
        }
        problems.add("closewait: option 'metrics-sites' has invalid value '" + echo(value) + "': expected a whole number "
                + "from 0 (no site tag) to " + MAX_METRICS_SITES + "; using " + current + ".");
        return current;
    }

    /**
     * The value as a number within [min, max], or null. Only ASCII digits, no sign: {@code Integer.parseInt} would
     * also take {@code +5} and digits of other scripts ({@code ٥}), which no user means as a number here.
     */
    private static Integer wholeNumber(String value, int min, int max) {
        if (!Patterns.ASCII_NUMBER.matcher(value).matches()) {
            return null;
        }
        int number = Integer.parseInt(value);
        return number >= min && number <= max ? number : null;
    }

    /** An option's value or key as echoed in a problem line: control characters escaped, at most 200 characters. */
    static String echo(String value) {
        return SafeText.bounded(value, MAX_ECHO);
    }

    private static List<String> parsePrefixes(String key, String value, List<String> current, List<String> problems) {
        List<String> prefixes = new ArrayList<>();
        for (String part : value.split(":")) {
            String prefix = part.trim();
            if (!prefix.isEmpty()) {
                prefixes.add(prefix);
            }
        }
        if (prefixes.isEmpty() && !value.isBlank()) { // ":::" said something, but no prefix
            problems.add("closewait: option '" + echo(key) + "' has invalid value '" + echo(value) + "': no prefix in it; "
                    + "expected package or class name prefixes separated by ':', such as com.acme.db:org.example.Client; "
                    + (current.isEmpty() ? "not filtering." : "keeping " + String.join(":", current) + "."));
            return current;
        }
        for (String prefix : prefixes) {
            if (!validPrefix(prefix)) {
                problems.add("closewait: option '" + echo(key) + "' has invalid value '" + echo(value) + "': expected package or"
                        + " class name prefixes separated by ':', such as com.acme.db:org.example.Client; "
                        + (current.isEmpty() ? "not filtering." : "keeping " + String.join(":", current) + "."));
                return current;
            }
        }
        for (String prefix : prefixes) {
            String className = methodOwner(prefix);
            if (className != null) {
                problems.add("closewait: option '" + echo(key) + "' prefix '" + echo(prefix) + "' ends in what looks like"
                        + " a method name; prefixes match class names only, so it matches no frame of " + echo(className)
                        + ": use " + echo(className) + " to match that class. Kept as given.");
            }
        }
        return prefixes;
    }

    /**
     * The class a prefix names when its last segment looks like a method of it ({@code com.acme.Ingest.ingest}: a
     * lower-case segment right after a capitalised one, the Java naming conventions); null otherwise. Such a prefix
     * matches nothing (stack frames are matched by class name), which {@code include} turns into silence.
     */
    static String methodOwner(String prefix) {
        if (prefix.endsWith(".")) {
            return null;
        }
        int last = prefix.lastIndexOf('.');
        int previous = last <= 0 ? -1 : prefix.lastIndexOf('.', last - 1);
        if (last <= 0 || last == prefix.length() - 1) {
            return null;
        }
        char method = prefix.charAt(last + 1);
        char owner = prefix.charAt(previous + 1);
        return Character.isLowerCase(method) && Character.isUpperCase(owner) ? prefix.substring(0, last) : null;
    }

    /**
     * Dot-separated name segments, with an optional trailing dot ({@code com.acme.}). Checked one segment at a time:
     * a single regex with a repeated group recurses per segment in java.util.regex and overflows the stack on a
     * long enough value.
     */
    private static boolean validPrefix(String prefix) {
        String name = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        for (String segment : name.split("\\.", -1)) {
            if (!Patterns.SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    private static int parseStackSample(String value, int current, List<String> problems) {
        Integer every = wholeNumber(value, 1, 1000);
        if (every != null) {
            return every;
        }
        problems.add("closewait: option 'stack-sample' has invalid value '" + echo(value) + "': expected a whole number "
                + "from 1 (record the stacks of every socket) to 1000 (one socket in 1000); using " + current + ".");
        return current;
    }

    private static final long MAX_CHURN_WARN = 1_000_000;

    /** {@code N} closes (1 to 1,000,000) or {@code P%} of the port range (above 0, at most 100). */
    private static ChurnOptions parseChurnWarn(String value, ChurnOptions current, List<String> problems) {
        Matcher percent = Patterns.PERCENT.matcher(value);
        if (percent.matches()) {
            double share = Double.parseDouble(percent.group(1));
            if (share > 0 && share <= 100) {
                return new ChurnOptions(current.on(), 0, share);
            }
        } else if (value.matches("\\d{1,7}")) {
            long count = Long.parseLong(value);
            if (count >= 1 && count <= MAX_CHURN_WARN) {
                return new ChurnOptions(current.on(), count, current.warnPercent());
            }
        }
        problems.add("closewait: option 'churn-warn' has invalid value '" + echo(value) + "': expected a number of "
                + "connections closed first by the application to one destination within 60s, from 1 to "
                + MAX_CHURN_WARN + ", or a share of the ephemeral port range such as 10% or 2.5% (above 0%, at most "
                + "100%); using " + current.warnText() + ".");
        return current;
    }

    private static long parseSize(String key, String value, long current, List<String> problems) {
        Matcher matcher = Patterns.SIZE.matcher(value.toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            long size = amount << switch (matcher.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                default -> 30;
            };
            if (size >= 1L << 10 && size <= 100L << 30) {
                return size;
            }
        }
        problems.add("closewait: option '" + echo(key) + "' has invalid value '" + echo(value) + "': expected a size such as "
                + "500k, 100m or 1g, from 1k to 100g; using " + formatSize(current) + ".");
        return current;
    }

    static String formatSize(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + "m" : (bytes >> 10) + "k";
    }

    private static boolean parseSwitch(String key, String value, boolean current, List<String> problems) {
        if (value.equalsIgnoreCase("on") || value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("off") || value.equalsIgnoreCase("false")) {
            return false;
        }
        problems.add("closewait: option '" + echo(key) + "' has invalid value '" + echo(value) + "': expected on or off; using "
                + (current ? "on" : "off") + ".");
        return current;
    }

    private static LogTarget parseLog(String value, LogTarget current, List<String> problems) {
        for (LogTarget target : LogTarget.values()) {
            if (target.name().equalsIgnoreCase(value)) {
                return target;
            }
        }
        problems.add("closewait: option 'log' has invalid value '" + echo(value) + "': expected auto, stderr or off; using "
                + current.name().toLowerCase(Locale.ROOT) + ".");
        return current;
    }
}
