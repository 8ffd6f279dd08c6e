"""A Bot API that runs in the process, for the demo, the tests and the benchmarks."""
