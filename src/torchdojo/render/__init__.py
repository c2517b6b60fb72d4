"""Human-readable views of results (terminal)."""
