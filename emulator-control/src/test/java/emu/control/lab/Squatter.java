package emu.control.lab;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A local attacker, run as its own OS process by {@link PortSquatLabTest}: it binds ports a
 * killed node freed and records everything that reaches it, as any local program could.
 *
 * <pre>java emu.control.lab.Squatter DIR [--tcp PORT] [--udp PORT [--send-to PORT]]</pre>
 *
 * <ul>
 *   <li>{@code --tcp PORT}: listens on 127.0.0.1:PORT (a node's management port), appends every
 *       byte received to {@code DIR/tcp.bin} and answers each request 200 with JSON made up to
 *       look like a node's ({@link #FAKE_MAC} as its interface's MAC);
 *   <li>{@code --udp PORT}: binds 127.0.0.1:PORT (a node's link port) and appends one line per
 *       datagram received to {@code DIR/udp.log} ({@code LENGTH}); with {@code --send-to PEER}
 *       it sends a broadcast Ethernet frame to 127.0.0.1:PEER every 20 ms, as the peer would.
 * </ul>
 * Prints {@code BOUND} once every port is bound, then runs until killed.
 */
public final class Squatter {
  /** The MAC of the fake answer's interface: seen in a status, the fake was believed. */
  public static final String FAKE_MAC = "66:66:66:66:66:66";

  private Squatter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Integer tcp = null;
    Integer udp = null;
    Integer sendTo = null;
    for (int i = 1; i < args.length; i += 2) {
      int v = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--tcp" -> tcp = v;
        case "--udp" -> udp = v;
        case "--send-to" -> sendTo = v;
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    ServerSocket server = null;
    if (tcp != null) {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(lo, tcp));
    }
    DatagramSocket socket = udp == null ? null : new DatagramSocket(new InetSocketAddress(lo, udp));
    System.out.println("BOUND");
    System.out.flush();
    if (socket != null) {
      DatagramSocket s = socket;
      Thread rx = new Thread(() -> receive(s, dir.resolve("udp.log")), "rx");
      rx.start();
      if (sendTo != null) {
        int peer = sendTo;
        Thread tx = new Thread(() -> send(s, new InetSocketAddress(lo, peer)), "tx");
        tx.start();
      }
    }
    if (server != null) {
      try (OutputStream record = new FileOutputStream(dir.resolve("tcp.bin").toFile(), true)) {
        while (true) {
          try (Socket c = server.accept()) {
            answer(c, record);
          } catch (IOException e) {
            // the client went away: next
          }
        }
      }
    }
  }

  /** Reads one request (headers, then Content-Length bytes), records it, answers 200 with fake JSON. */
  private static void answer(Socket c, OutputStream record) throws IOException {
    c.setSoTimeout(5_000);
    InputStream in = c.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      record.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    int length = 0;
    for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    record.write(in.readNBytes(length));
    record.flush();
    byte[] body = ("{\"node\":\"h2\",\"ready\":true,\"kind\":\"host\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\""
        + FAKE_MAC + "\",\"address\":\"10.0.0.2/24\"}],\"ip\":{}}").getBytes(StandardCharsets.UTF_8);
    OutputStream out = c.getOutputStream();
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static void receive(DatagramSocket s, Path log) {
    byte[] buf = new byte[65_536];
    try (OutputStream out = new FileOutputStream(log.toFile(), true)) {
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        out.write((p.getLength() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException e) {
      // closed: the process is ending
    }
  }

  /** A broadcast frame from a made-up MAC, EtherType 0x88B5 (IEEE 802 local experimental), every 20 ms. */
  private static void send(DatagramSocket s, InetSocketAddress peer) {
    byte[] frame = new byte[60];
    for (int i = 0; i < 6; i++) {
      frame[i] = (byte) 0xff;
      frame[6 + i] = (byte) 0x66;
    }
    frame[12] = (byte) 0x88;
    frame[13] = (byte) 0xb5;
    try {
      while (true) {
        s.send(new DatagramPacket(frame, frame.length, peer));
        Thread.sleep(20);
      }
    } catch (IOException | InterruptedException e) {
      // the process is ending
    }
  }
}
