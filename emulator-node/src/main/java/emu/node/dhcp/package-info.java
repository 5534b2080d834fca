/** DHCPv4 (RFC 2131/2132): the server role on an interface, with its leases. */
package emu.node.dhcp;
