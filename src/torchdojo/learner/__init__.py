"""The learner's loop: the workspace, progress, and the in-kernel check of notebooks."""
