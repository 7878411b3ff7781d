"""Local fake servers that behave like the real services (signatures, limits, error codes)."""
