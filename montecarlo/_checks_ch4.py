"""Monte Carlo checks and experiments of Chapter 4 (being written)."""
