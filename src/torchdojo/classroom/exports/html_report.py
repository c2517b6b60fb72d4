"""``report.html``: the class at a glance, self-contained and offline.

Plots are inline SVG (no JavaScript, no CDN): the grade distribution, the pass
rate per exercise and per quiz question (what the class struggles with), then
the slowest and the failing submissions.
"""

from __future__ import annotations

import html
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

from torchdojo import atomic
from torchdojo.i18n import pick
from torchdojo.manifest import Course

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult

e = html.escape
BAD = ("error", "timeout", "crashed")


def histogram_svg(percents: list[float], title: str) -> str:
    bins = [0] * 10
    for p in percents:
        bins[min(9, int(p // 10))] += 1
    top = max(bins) or 1
    w, h, pad = 520, 220, 30
    bar = (w - 2 * pad) / 10
    parts = [f"<svg class='chart' role='img' aria-label='{e(title)}' viewBox='0 0 {w} {h}' width='{w}' height='{h}'>"]
    for i, count in enumerate(bins):
        bh = (h - 2 * pad) * count / top
        x = pad + i * bar
        y = h - pad - bh
        parts.append(f"<rect class='bar' x='{x + 2:.1f}' y='{y:.1f}' width='{bar - 4:.1f}' height='{bh:.1f}'>"
                     f"<title>{i * 10}-{i * 10 + 10}%: {count}</title></rect>")
        if count:
            parts.append(f"<text x='{x + bar / 2:.1f}' y='{y - 4:.1f}' text-anchor='middle'>{count}</text>")
        parts.append(f"<text x='{x + bar / 2:.1f}' y='{h - pad + 14}' text-anchor='middle' class='axis'>{i * 10}</text>")
    parts.append(f"<line x1='{pad}' y1='{h - pad}' x2='{w - pad}' y2='{h - pad}' stroke='#888'/></svg>")
    return "".join(parts)


def rates_svg(rows: list[tuple[str, float]], title: str) -> str:
    """Horizontal bars: share of students with full marks, lowest first."""
    line, label_w, bar_w = 18, 300, 300
    h = line * len(rows) + 10
    parts = [f"<svg class='chart' role='img' aria-label='{e(title)}' viewBox='0 0 {label_w + bar_w + 60} {h}' "
             f"width='{label_w + bar_w + 60}' height='{h}'>"]
    for i, (name, rate) in enumerate(rows):
        y = 5 + i * line
        cls = "low" if rate < 0.5 else "bar"
        parts.append(f"<text x='{label_w - 6}' y='{y + 12}' text-anchor='end'>{e(name)}</text>")
        parts.append(f"<rect class='{cls}' x='{label_w}' y='{y + 2}' width='{bar_w * rate:.1f}' height='{line - 5}'>"
                     f"<title>{e(name)}: {rate:.0%}</title></rect>")
        parts.append(f"<text x='{label_w + bar_w * rate + 4:.1f}' y='{y + 12}'>{rate:.0%}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(result: ClassResult, course: Course, lang: str) -> str:
    students = result.students
    totals = {}
    for s in students:
        topics = result.results.get(s, {}).values()
        score, max_score = sum(t.score for t in topics), sum(t.max_score for t in topics)
        totals[s] = (score, max_score, 100.0 * score / max_score if max_score else 0.0)
    percents = [p for _, _, p in totals.values()]
    items: dict[str, list[bool]] = {}
    quiz_items: dict[str, list[bool]] = {}
    slow: list[tuple[float, str, str]] = []
    failing: dict[tuple[str, str, str, str], list[str]] = {}
    for s in students:
        for key, topic in result.results.get(s, {}).items():
            target = quiz_items if key.startswith("quiz:") else items
            for item in topic.exercises:
                target.setdefault(item.id, []).append(item.status == "passed")
                if item.status in BAD:
                    # One row per student, topic and reason (a broken file fails every item the same way).
                    failing.setdefault((s, key, item.status, item.feedback[:160]), []).append(item.id)
            if not key.startswith("quiz:"):
                slow.append((topic.duration_s, s, key))
    rate = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    ex_rows = sorted(((k, rate(v)) for k, v in items.items()), key=lambda kv: (kv[1], kv[0]))
    q_rows = sorted(((k, rate(v)) for k, v in quiz_items.items()), key=lambda kv: (kv[1], kv[0]))
    slow.sort(reverse=True)
    t = lambda es, en: e(pick(lang, es, en))  # noqa: E731
    mean = statistics.mean(percents) if percents else 0.0
    median = statistics.median(percents) if percents else 0.0
    passed = sum(1 for p in percents if p >= 50.0)
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{t('Informe de la clase', 'Class report')}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;color:#222}"
        "h1,h2{font-weight:600}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;font-size:.9em}"
        ".chart text{font-size:11px;fill:#333}.chart .axis{fill:#777}.bar{fill:#4c78a8}.low{fill:#e45756}"
        ".stats span{display:inline-block;margin-right:2em}</style></head><body>",
        f"<h1>{t('Informe de la clase', 'Class report')}</h1>",
        f"<p class='stats'><span>{t('Estudiantes', 'Students')}: <b id='n-students'>{len(students)}</b></span>"
        f"<span>{t('Media', 'Mean')}: <b>{mean:.1f}%</b></span><span>{t('Mediana', 'Median')}: <b>{median:.1f}%</b></span>"
        f"<span>{t('Aprueban (>= 50%)', 'Pass (>= 50%)')}: <b>{passed}</b></span></p>",
        f"<h2>{t('Distribución de notas (%)', 'Grade distribution (%)')}</h2>",
        histogram_svg(percents, pick(lang, "Distribución de notas", "Grade distribution")),
    ]
    if ex_rows:
        parts += [f"<h2>{t('Ejercicios: estudiantes con la nota completa', 'Exercises: students with full marks')}</h2>",
                  rates_svg(ex_rows, pick(lang, "Tasa de acierto por ejercicio", "Pass rate per exercise"))]
    if q_rows:
        parts += [f"<h2>{t('Cuestionarios: acierto por pregunta', 'Quizzes: pass rate per question')}</h2>",
                  rates_svg(q_rows, pick(lang, "Tasa de acierto por pregunta", "Pass rate per question"))]
    parts += [f"<h2>{t('Entregas más lentas', 'Slowest submissions')}</h2>",
              _table([t("estudiante", "student"), t("tema", "topic"), "s"],
                     [[s, k, f"{d:.2f}"] for d, s, k in slow[:10]]),
              f"<h2>{t('Entregas con errores, tiempo agotado o caídas', 'Submissions with errors, timeouts or crashes')}</h2>",
              _table([t("estudiante", "student"), t("ejercicio", "item"), t("estado", "status"),
                      t("comentario", "feedback")],
                     [[s, ids[0] + (f" (+{len(ids) - 1})" if len(ids) > 1 else ""), status, fb]
                      for (s, _key, status, fb), ids in list(failing.items())[:200]]) if failing
              else f"<p>{t('Ninguna.', 'None.')}</p>",
              f"<h2>{t('Notas', 'Grades')}</h2>",
              _table([t("estudiante", "student"), t("puntos", "points"), "%"],
                     [[s, f"{a:g} / {b:g}", f"{p:.1f}"] for s, (a, b, p) in totals.items()]),
              "</body></html>"]
    return "".join(parts)


def write_report(result: ClassResult, course: Course, lang: str, path: Path) -> Path:
    atomic.write_text(path, render(result, course, lang))
    return path
