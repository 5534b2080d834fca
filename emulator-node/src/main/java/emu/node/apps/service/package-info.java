/**
 * The long-running servers that commands start in the background, and that keep serving after
 * the command that started them has exited, until the node stops or they are told to stop:
 * {@code bulk server} ({@link emu.node.apps.service.BulkServer}, with
 * {@link emu.node.apps.service.BulkProtocol}, what it and {@code bulk client} say to each other),
 * {@code tcpecho server} ({@link emu.node.apps.service.TcpEchoServer}) and {@code udpperf server}
 * ({@link emu.node.apps.service.UdpPerfServer}). A server reports its start and stop on the
 * terminal of the command that asked. They depend on {@code emu.node.shell} and on the node's
 * stack and channels; never on the commands that start them ({@code emu.node.apps.diag},
 * {@code emu.node.apps.load}).
 */
package emu.node.apps.service;
