package iota.orchestrator.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class BufferedSocketFactoryTest {
  @Test
  void socketsConnectedLaterOrAtOnceReadEveryByteThroughOneBuffer() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 2, loopback)) {
      BufferedSocketFactory factory = new BufferedSocketFactory();
      // Paho's way: an unconnected socket, connected afterwards.
      try (Socket unconnected = factory.createSocket()) {
        unconnected.connect(new InetSocketAddress(loopback, server.getLocalPort()));
        assertEchoes(unconnected, server);
      }
      try (Socket connected = factory.createSocket(loopback, server.getLocalPort())) {
        assertEchoes(connected, server);
      }
    }
  }

  private static void assertEchoes(Socket client, ServerSocket server) throws Exception {
    byte[] packet = new byte[70_000];
    for (int i = 0; i < packet.length; i++) {
      packet[i] = (byte) i;
    }
    try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
      out.write(packet);
      out.flush();
      InputStream in = client.getInputStream();
      assertTrue(in instanceof BufferedInputStream, "reads are buffered");
      assertSame(in, client.getInputStream(), "one buffer per socket, or bytes would be lost between streams");
      DataInputStream data = new DataInputStream(in);
      assertEquals(packet[0], data.readByte());
      byte[] rest = new byte[packet.length - 1];
      data.readFully(rest);
      byte[] expected = new byte[packet.length - 1];
      System.arraycopy(packet, 1, expected, 0, expected.length);
      assertArrayEquals(expected, rest);
    }
  }
}
