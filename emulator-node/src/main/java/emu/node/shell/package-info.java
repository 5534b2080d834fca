/**
 * The command framework every node program is written against, at the bottom of the apps: a
 * {@link emu.node.shell.Command} (name, one-line summary, run), the
 * {@link emu.node.shell.CommandIo} it prints to and exits through, the
 * {@link emu.node.shell.Shell} that is a node's command table (it finds a command by name,
 * answers {@code help} and turns a {@link emu.node.shell.UsageException} into exit status 2),
 * and {@link emu.node.shell.Args}, option parsing in the style of the Linux tools. Depends on
 * nothing of emu; the programs themselves live in {@code emu.node.apps} and its subpackages,
 * and the node fills its shell with them.
 */
package emu.node.shell;
