/**
 * The browser console of a running lab: static page files, a pushed feed of the lab's state,
 * counters and narrative, and a streamed diagnostic command, all served by the lab's control API
 * ({@link emu.control.console.ConsoleRoutes} is its extension). Uses controller and report (the
 * drawings) and what lies below them; used by run, which starts it.
 */
package emu.control.console;
