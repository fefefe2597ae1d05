"""Start the tutor's web app at http://127.0.0.1:7860 (TUTOR_HOST, TUTOR_PORT). Build it with tutor.app.build.build_app."""

from tutor.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve"]))
