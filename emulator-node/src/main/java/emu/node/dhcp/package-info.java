/**
 * DHCPv4 (RFC 2131/2132): the server role on an interface, with its leases and its scopes for
 * subnets behind relays; the client; the relay agent of a router interface (RFC 1542, RFC 3046).
 */
package emu.node.dhcp;
