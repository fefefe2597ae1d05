"""Running several ``tutor serve`` processes as one tutor: a local Postgres for trying it (``postgres.py``), the
nginx configuration in front of the processes (``nginx.py``), and a whole local deployment for the load test and its
tests (``local.py``)."""
