/**
 * Linux nodes: the network namespaces, veth pairs and VXLAN devices a linux node becomes, made,
 * inspected and removed with iproute2; their failures are {@link
 * emu.control.linux.LinuxException}s. At the bottom of the control plane: it depends on no other
 * package of it.
 */
package emu.control.linux;
