"""Analysis layer: progress to target, comparison with benchmarks, data-quality checks,
uncertainty and workforce arithmetic. Imports the data layer only."""
