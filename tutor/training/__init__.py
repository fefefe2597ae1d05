"""Training: the commands that rebuild the trained decisions from data (``python -m tutor.training.<name>``).
Each uses the same stage functions as the pipeline (``tutor.reading``), never its internals."""
