"""Running replications: experiments, execution backends, statistics, the run store and the optimiser."""
