"""The web app (Gradio): ``build_app(settings) -> gr.Blocks`` and ``launch``; one file per tab, the HTML in
``render``, the chat log in ``store``, CSS and JS in ``static/``."""
