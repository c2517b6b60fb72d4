"""Code both sides of the wire run: recipes, the sandbox's OS facts, source decoding."""
