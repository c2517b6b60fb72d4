"""The course: manifest, lessons, quizzes, stubs, data sets and the pretrained backbone."""
