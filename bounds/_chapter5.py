"""Chapter 5 of the dissertation: every numbered item as a registry entry (being written)."""
