package iota.orchestrator.connect;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of an MQTT broker that drops the connection carrying the first SUBSCRIBE
 * instead of forwarding it, as Moquette 0.17 now and then does on its own ("SUBSCRIBE received on
 * already closed connection"). Later connections pass through untouched.
 */
final class SubscribeDroppingProxy implements AutoCloseable {
  private static final int SUBSCRIBE = 8;

  private final ServerSocket server;
  private final int brokerPort;
  private final AtomicInteger dropped = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private SubscribeDroppingProxy(ServerSocket server, int brokerPort) {
    this.server = server;
    this.brokerPort = brokerPort;
  }

  static SubscribeDroppingProxy start(int brokerPort) throws IOException {
    SubscribeDroppingProxy proxy =
        new SubscribeDroppingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), brokerPort);
    Thread acceptor = new Thread(proxy::accept, "subscribe-dropping-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
    return proxy;
  }

  String uri() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** How many connections were dropped at their SUBSCRIBE (at most one). */
  int droppedSubscriptions() {
    return dropped.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
        sockets.add(client);
        sockets.add(broker);
        pump("broker->client", broker, client, false);
        pump("client->broker", client, broker, true);
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void pump(String name, Socket from, Socket to, boolean inspect) {
    Thread t = new Thread(() -> {
      try (from; to) {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        if (!inspect) {
          in.transferTo(out);
          return;
        }
        DataInputStream packets = new DataInputStream(in);
        while (true) {
          byte[] packet = readPacket(packets);
          if ((packet[0] & 0xff) >> 4 == SUBSCRIBE && dropped.compareAndSet(0, 1)) {
            return;
          }
          out.write(packet);
          out.flush();
        }
      } catch (IOException gone) {
        // either side closed: the try closes both
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /** One MQTT control packet: fixed header byte, remaining length (1 to 4 bytes), body. */
  private static byte[] readPacket(DataInputStream in) throws IOException {
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    int first = in.read();
    if (first < 0) {
      throw new EOFException();
    }
    packet.write(first);
    int length = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.readUnsignedByte();
      packet.write(b);
      length |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    byte[] body = new byte[length];
    in.readFully(body);
    packet.write(body);
    return packet.toByteArray();
  }
}
