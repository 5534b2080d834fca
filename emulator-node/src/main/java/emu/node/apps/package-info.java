/**
 * The programs a node runs, in subpackages by what they are: {@code diag} (looking at the node
 * and the network: ping, traceroute, ip, ss, bridge, resolve, https-get, tcpecho, sleep),
 * {@code load} (traffic generators that measure: bulk, dnsperf, udpperf, httpsperf, and their
 * closed-loop engine and statistics) and {@code service} (the servers some of those commands
 * start in the background). This package itself holds only what programs of different kinds
 * share: {@link emu.node.apps.ResolveThenRun}, the opening of the commands that resolve their
 * destination's name and then run, and {@link emu.node.apps.HttpsTarget}, what an HTTPS URL
 * names. Programs are written against {@code emu.node.shell} and resolve names through
 * {@code emu.node.names}; they may use the node's stack, transports, DNS and TLS below them.
 * This package imports none of its subpackages, and nothing below the apps imports any of
 * them: only the node, which puts every command in its shell.
 */
package emu.node.apps;
