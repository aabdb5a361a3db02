"""Chapter 2 of the dissertation: every numbered item as a registry entry (being written)."""
