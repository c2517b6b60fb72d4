"""Editions of the course: the student release and wheel, notebooks, nbgrader and Gradescope."""
