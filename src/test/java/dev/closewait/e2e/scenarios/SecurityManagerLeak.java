package dev.closewait.e2e.scenarios;

/**
 * An application that installs a security manager as main begins (JDK 17 to 23), under a policy that grants its code
 * only sockets, threads and files (no class loaders, no reflection), then runs {@link ClientSocketLeak}: clients read
 * a server's goodbye to EOF and never close. The agent, started before, runs on (its classes hold every permission
 * and its work runs privileged).
 */
public final class SecurityManagerLeak {

    @SuppressWarnings("removal")
    public static void main(String[] args) throws Exception {
        System.setSecurityManager(new SecurityManager());
        ClientSocketLeak.main(args);
    }
}
