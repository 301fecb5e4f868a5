package iota.orchestrator.connect;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets whose input stream is buffered, for Paho's {@code tcp://} connections.
 *
 * <p>Paho 1.2 reads every MQTT packet through a {@code DataInputStream} straight on the socket: the
 * fixed header a byte at a time, then the rest. Each of those reads is a system call (and, with the
 * socket timeout Paho sets, a poll before it), so at a thousand messages a second the bridge's
 * receiving thread spent more time in the kernel than the stream thread spent processing. A buffer
 * in between turns a burst of packets into one read. Writes need nothing: Paho buffers them itself.
 */
public final class BufferedSocketFactory extends SocketFactory {
  private static final int BUFFER = 64 * 1024;

  @Override
  public Socket createSocket() {
    return new BufferedSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
    Socket socket = new BufferedSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static final class BufferedSocket extends Socket {
    private InputStream in;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in = new BufferedInputStream(super.getInputStream(), BUFFER);
      }
      return in;
    }
  }
}
