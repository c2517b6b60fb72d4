"""Jinja2 templates for the report and the feedback pages, overridable by the instructor.

The packaged templates live in ``torchdojo/classroom/templates/``. An
instructor overrides any of them by putting a file of the same name in a
folder passed as ``torchdojo grade --templates DIR`` (as nbgrader's feedback
templates are overridden); the others still come from the package. HTML
templates are autoescaped: student text (names, feedback, code) can never
become markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr, tr_said
from torchdojo.text.terminal import status_label

PACKAGED = Path(__file__).resolve().parents[1] / "templates"
#: Untrusted text (feedback, messages) is cut to this many characters in reports.
TEXT_LIMIT = 300


def clip(text: Any, limit: int = TEXT_LIMIT) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def points(x: float) -> str:
    return f"{x:g}"


def md_cell(text: Any, limit: int = TEXT_LIMIT) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and markup characters escaped."""
    out = clip(text, limit)
    for ch in "\\`*_[]<>|":
        out = out.replace(ch, "\\" + ch)
    return out


@jinja2.pass_context
def _translate(context: Any, msgid: str, **params: Any) -> str:
    return tr(context["lang"], msgid, **params)


@jinja2.pass_context
def _said(context: Any, text: Any) -> str:
    from torchdojo.classroom import analysis, layout, similarity, steps
    from torchdojo.shared import source
    from torchdojo.shared.confine import describe_protection

    lang = context["lang"]
    said = tr_said(lang, str(text), layout.SKIP_REASONS + similarity.NOTES + steps.NOTES + source.NOTES)
    return describe_protection(lang, said).replace(analysis.STUDENT, tr(lang, analysis.STUDENT))


def environment(templates: str | Path | None = None) -> jinja2.Environment:
    """The template environment: the instructor's folder first (if any), then the packaged templates."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        folder = Path(templates)
        if not folder.is_dir():
            raise UserError("templates folder '{path}' does not exist", path=str(folder))
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGED)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "svg.j2"),
                                            default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(clip=clip, points=points, md=md_cell)
    # Program text in a template is an English msgid of the gettext catalog, like any other message:
    # {{ _("Class report") }}, translated into the template's ``lang`` (catalogs.py extracts them).
    env.globals["_"] = _translate
    # Notes kept as English text in the results (skip reasons, copy detection, steps, protections): `| said`.
    env.filters["said"] = _said
    env.globals["status_label"] = status_label
    return env


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render ``name``; a broken instructor template is a one-line error naming the file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError("template {path}:{line}: {detail}", path=exc.filename or name, line=exc.lineno,
                        detail=exc.message) from None
