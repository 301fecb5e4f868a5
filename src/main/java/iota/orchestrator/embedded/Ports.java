package iota.orchestrator.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for servers that must know their port before they bind. */
public final class Ports {
  /** Every embedded server binds to loopback only: nothing here is meant to be reachable from outside. */
  static final String HOST = "127.0.0.1";

  private Ports() {}

  /**
   * Returns {@code requested} unless it is 0, in which case the OS picks a free port. Some servers
   * (the KRaft controller quorum, ZooKeeper, Moquette) need the number in their configuration before
   * they bind, so they cannot bind port 0 and report it; there is a small window in which another
   * process could take the port, which is acceptable on a laptop and in tests.
   */
  static int orFree(int requested) {
    if (requested == 0) {
      return free();
    }
    if (requested < 0 || requested > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + requested);
    }
    return requested;
  }

  /** A loopback port nothing listens on right now, for a server that must be told its port. */
  public static int free() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }
}
