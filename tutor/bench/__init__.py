"""``tutor bench``: speed and scaling measured side by side in one run (see ``main``)."""
