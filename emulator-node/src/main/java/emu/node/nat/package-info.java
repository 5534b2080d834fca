/**
 * Network address translation on a router's outside interface: Linux masquerade semantics with
 * RFC 4787's endpoint-independent mapping and filtering, RFC 5382's TCP timeouts and RFC 5508's
 * ICMP handling; port forwards; the conntrack view. It plugs into the IPv4 stack's forwarding path
 * through {@link emu.node.stack.NatHook} and depends on nothing above the stack.
 */
package emu.node.nat;
