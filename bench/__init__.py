"""campusflow's benchmark suite (``./run bench``); see docs/performance.md."""
