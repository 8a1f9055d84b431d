"""SimPy traffic model driving the production routing engine."""
