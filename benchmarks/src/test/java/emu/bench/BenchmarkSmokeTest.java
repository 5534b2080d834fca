package emu.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Every JMH benchmark, with every parameter, runs once for a tenth of a second in this JVM: the
 * build catches a benchmark whose setup throws or whose code no longer compiles against the
 * stack. It says nothing about speed (see BENCHMARKS.md for how to measure). A new benchmark
 * class joins the list below.
 */
class BenchmarkSmokeTest {
  @ParameterizedTest
  @ValueSource(strings = {"ForwardingBenchmark", "ImpairmentBenchmark", "RouteLookupBenchmark",
      "ChecksumBenchmark", "NeighborLookupBenchmark", "TracingBenchmark"})
  void runsAndMeasuresSomething(String benchmark) throws RunnerException {
    Options options = new OptionsBuilder()
        .include("^emu\\.bench\\." + benchmark + "\\.")
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .forks(0)
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    assertFalse(results.isEmpty(), benchmark + " did not run");
    for (RunResult r : results) {
      assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams() + " measured nothing");
    }
  }
}
