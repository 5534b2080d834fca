/**
 * Load generators that measure a path, after iperf, dnsperf and h2load: {@code bulk} (a TCP
 * transfer, its goodput and retransmissions), {@code iperf3} (iperf3 itself: its protocol, so
 * that it measures against a real iperf3 either way), {@code dnsperf}, {@code udpperf} and
 * {@code httpsperf}, with what they measure with: the closed loop that keeps requests in
 * flight ({@code ClosedLoop}, over UDP {@code UdpClosedLoop}), latency statistics, byte
 * sizes and the pseudo-random stream a transfer sends. They depend on {@code emu.node.shell},
 * {@code emu.node.names} and {@code emu.node.apps}, on the node's stack, channels and TLS,
 * and on {@code emu.node.apps.service} for the servers {@code bulk server}, {@code iperf3 -s}
 * and {@code udpperf server} start (and iperf3's protocol and streams, which both ends share);
 * never on {@code emu.node.apps.diag}.
 */
package emu.node.apps.load;
