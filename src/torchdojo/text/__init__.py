"""What torchdojo says and writes: languages, messages, the terminal, errors, atomic files."""
