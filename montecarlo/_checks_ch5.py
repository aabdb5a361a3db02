"""Monte Carlo checks and experiments of Chapter 5 (being written)."""
