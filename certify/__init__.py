"""Sound certificates: the SDP surrogate of Theorem 5.7 and the filtering SDP of Chapter 4."""

__all__: list[str] = []
