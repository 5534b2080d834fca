/**
 * Commands that look at a node and the network and say what they see, in the shape of the
 * Linux tools they imitate: {@code ping}, {@code traceroute}, {@code ip}, {@code ss},
 * {@code bridge} (on a switch), {@code resolve} (dig), {@code https-get} (curl -v),
 * {@code tcpecho} (one echo round trip) and {@code sleep} (a scenario's pause). Each runs on
 * the node's event loop and ends with an exit status a scenario step can test. They depend on
 * {@code emu.node.shell}, {@code emu.node.names} and {@code emu.node.apps}, on the layers they
 * inspect (stack, tcp, bridge, dns, channel, tls, trace, wire) and on
 * {@code emu.node.apps.service} for the server {@code tcpecho server} starts; never on
 * {@code emu.node.apps.load}.
 */
package emu.node.apps.diag;
