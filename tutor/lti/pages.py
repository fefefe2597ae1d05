"""The few pages LTI shows outside the Gradio app, as HTML files beside this module rendered strictly (a missing
value is an error, every value is escaped): a refused launch, the deep-linking unit picker, and the self-posting
forms that carry a login or a deep-linking response on to the platform.

>>> "&lt;b&gt;" in refused("<b>")
True
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from string import Template


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("pages", f"{name}.html").read_text(encoding="utf-8"))


def _render(name: str, raw: dict | None = None, **values: str) -> str:
    return _template(name).substitute({**{k: escape(str(v)) for k, v in values.items()}, **(raw or {})})


def refused(message: str) -> str:
    return _render("refused", message=message)


def autopost(action: str, fields: dict[str, str], title: str) -> str:
    """A form that posts ``fields`` to ``action`` as soon as it loads (a button without JavaScript)."""
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    return _render("autopost", {"fields": hidden}, action=action, title=title)


def picker(action: str, launch: str, course: str, units: list[tuple[str, str]]) -> str:
    """The teacher's list of units (slug, title), each a checkbox."""
    boxes = "".join(f'<label><input type="checkbox" name="unit" value="{escape(slug)}"> {escape(title)}</label>'
                    for slug, title in units)
    return _render("picker", {"units": boxes}, action=action, launch=launch, course=course or "your course")
