/**
 * How a node turns a name into an IPv4 address, below everything that needs one: the
 * {@link emu.node.names.NameResolver} interface the commands ask (asynchronous, answering with
 * getaddrinfo's messages), the node's static {@link emu.node.names.Hosts} table (its
 * /etc/hosts), and {@link emu.node.names.HostsResolver}, a resolver that knows that table only.
 * The DNS stub resolver ({@code emu.node.dns}) implements the interface on top of the table.
 * Depends on {@code emu.node.wire} only; nothing here knows about DNS or the commands.
 */
package emu.node.names;
