/**
 * Running a lab from start to report: {@link emu.control.run.ScenarioRunner} is {@code emu run}
 * (start, the scenario step by step with its narrative, stop, report), and {@link
 * emu.control.run.Daemon} starts {@link emu.control.run.ControllerMain}, the control process
 * behind {@code emu up} and {@code emu down}. May depend on every package but cli.
 */
package emu.control.run;
