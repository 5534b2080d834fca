/**
 * The long-running servers that commands start in the background, and that keep serving after
 * the command that started them has exited, until the node stops or they are told to stop:
 * {@code bulk server} ({@link emu.node.apps.service.BulkServer}, with
 * {@link emu.node.apps.service.BulkProtocol}, what it and {@code bulk client} say to each other),
 * {@code tcpecho server} ({@link emu.node.apps.service.TcpEchoServer}), {@code udpperf server}
 * ({@link emu.node.apps.service.UdpPerfServer}) and {@code iperf3 -s}
 * ({@link emu.node.apps.service.Iperf3Server}, with {@link emu.node.apps.service.Iperf3Protocol}
 * and the data streams both ends of iperf3 run, {@link emu.node.apps.service.Iperf3Stream}). A
 * server reports its start and stop on the terminal of the command that asked. They depend on
 * {@code emu.node.shell} and on the node's stack and channels; never on the commands that start
 * them ({@code emu.node.apps.diag}, {@code emu.node.apps.load}).
 */
package emu.node.apps.service;
