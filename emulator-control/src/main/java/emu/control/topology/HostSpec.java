package emu.control.topology;

/**
 * A machine nodes can be placed on (the top-level {@code hosts:} section, or a node's
 * {@code host: ADDRESS}). The control plane starts a node there over ssh; the node binds
 * {@code address}, and its peers aim their links at it.
 *
 * @param name the host's name in the file (a placement by address is named after the address)
 * @param address the IPv4 address the host's nodes bind and their peers send to
 * @param ssh ssh destination, {@code [USER@]HOST} (default: the address, as the current user)
 * @param port sshd's port
 * @param identity private key file for the login, or null for ssh's defaults
 * @param emu emu on that host: emu.jar, or a checkout holding emulator-control/target/emu.jar;
 *     null to use the control plane's own class path (hosts that share its file system)
 * @param java the java command there (JDK 17)
 * @param dir where the host keeps node configurations and run artifacts while a lab runs
 *     (relative paths are under the login's home)
 * @param line where the host is declared, for messages
 */
public record HostSpec(String name, String address, String ssh, int port, String identity, String emu, String java,
                       String dir, int line) {
  public static final int DEFAULT_PORT = 22;
  public static final String DEFAULT_JAVA = "java";
  public static final String DEFAULT_DIR = ".emu/remote";

  /** "m2 (10.77.0.12)", or just the address for a host placed by address. */
  public String label() {
    return name.equals(address) ? address : name + " (" + address + ")";
  }
}
