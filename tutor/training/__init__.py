"""Training data: harvesters that build datasets (outside the running tutor) from openly licensed sources."""
