"""Monte Carlo checks and experiments of Chapter 2 (being written)."""
