"""The lessons' figures, drawn from code as SVG (standard library only).

Each figure is a function ``lang -> SVG text``; ``python scripts/sync_content.py``
writes ``lessons/figures/<name>.<lang>.svg`` and, with ``--check``, fails when a
file differs from what its function draws (as for stubs and notebooks). The SVG
files ship with the course; nothing here runs when a learner reads a lesson.

Where a figure shows a network or a convolution, its numbers come from the same
arithmetic the lesson teaches (``conv_out``, layer sizes), so text and picture
cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from torchdojo.course import paths
from torchdojo.course.manifest import Text

FIGURES_DIR = "figures"

# A small palette, readable on light and dark viewers (every figure has a white background).
INK = "#1f2933"
MUTED = "#6b7280"
GRID = "#9aa5b1"
BLUE = "#cfe3ff"
BLUE_DARK = "#2563eb"
ORANGE = "#ffd8a8"
ORANGE_DARK = "#d9480f"
GREEN = "#d3f9d8"
GREEN_DARK = "#2b8a3e"
GREY = "#e9ecef"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _n(value: float) -> str:
    """A coordinate, written the same way on every machine."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class Svg:
    """A tiny SVG canvas: shapes and text, written deterministically."""

    def __init__(self, width: float, height: float, title: str):
        self.width, self.height, self.title = width, height, title
        self.items: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str = "none", stroke: str = INK,
             width: float = 1.0, dash: str = "", rx: float = 0.0) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' rx="{_n(rx)}"' if rx else ""
        self.items.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}" '
                          f'stroke="{stroke}" stroke-width="{_n(width)}"{extra}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK, width: float = 1.0,
             arrow: bool = False, dash: str = "") -> None:
        extra = ' marker-end="url(#arrow)"' if arrow else ""
        extra += f' stroke-dasharray="{dash}"' if dash else ""
        self.items.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
                          f'stroke-width="{_n(width)}"{extra}/>')

    def circle(self, cx: float, cy: float, r: float, *, fill: str = "white", stroke: str = INK,
               width: float = 1.0) -> None:
        self.items.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="{fill}" stroke="{stroke}" '
                          f'stroke-width="{_n(width)}"/>')

    def polyline(self, points: list[tuple[float, float]], *, stroke: str = INK, width: float = 1.0,
                 dash: str = "") -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        self.items.append(f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
                          f'stroke-width="{_n(width)}"{extra}/>')

    def text(self, x: float, y: float, content: str, *, size: float = 13, anchor: str = "middle",
             fill: str = INK, bold: bool = False, mono: bool = False, italic: bool = False) -> None:
        style = ' font-weight="bold"' if bold else ""
        style += ' font-style="italic"' if italic else ""
        family = ' font-family="DejaVu Sans Mono, Menlo, Consolas, monospace"' if mono else ""
        self.items.append(f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
                          f'fill="{fill}"{style}{family}>{escape(content)}</text>')

    def grid(self, x: float, y: float, rows: int, cols: int, cell: float, *, fill: str = BLUE,
             values: list[list[str]] | None = None, stroke: str = INK, size: float = 12) -> None:
        """A ``rows`` x ``cols`` grid of cells, optionally with a value in each."""
        for r in range(rows):
            for c in range(cols):
                self.rect(x + c * cell, y + r * cell, cell, cell, fill=fill, stroke=stroke)
                if values is not None:
                    self.text(x + (c + 0.5) * cell, y + (r + 0.5) * cell + size * 0.35, values[r][c], size=size,
                              mono=True)

    def render(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}" height="{_n(self.height)}" '
                f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" font-family="{FONT}" role="img">')
        defs = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
                f'fill="{INK}"/></marker></defs>')
        background = f'<rect x="0" y="0" width="{_n(self.width)}" height="{_n(self.height)}" fill="white"/>'
        body = "\n".join(self.items)
        return f"{head}\n<title>{escape(self.title)}</title>\n{defs}\n{background}\n{body}\n</svg>\n"


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a convolution (the lesson's formula, without dilation)."""
    return (size + 2 * padding - kernel) // stride + 1


# --- tensors ---------------------------------------------------------------------------------


def tensor_ranks(lang: str) -> str:
    """Scalar, vector, matrix and a 3-D tensor, each with its ``ndim`` and ``shape``."""
    t = Text(es="Tensores de 0, 1, 2 y 3 dimensiones, con su ndim y su shape",
             en="Tensors of 0, 1, 2 and 3 dimensions, with their ndim and shape").get(lang)
    svg = Svg(760, 250, t)
    cell = 26
    names = {"es": ("escalar", "vector", "matriz", "tensor 3-D"), "en": ("scalar", "vector", "matrix", "3-D tensor")}
    label_y, base = 200, 55
    # scalar
    svg.grid(60, base + 40, 1, 1, cell, values=[["7"]])
    # vector
    svg.grid(150, base + 40, 1, 4, cell, values=[["3", "1", "4", "1"]])
    # matrix 3x4
    m = [[str(r * 4 + c) for c in range(4)] for r in range(3)]
    svg.grid(310, base + 14, 3, 4, cell, values=m)
    # 3-D: two stacked 3x4 matrices, the back one offset
    svg.grid(510 + 18, base - 4, 3, 4, cell, fill=GREY)
    svg.grid(510, base + 14, 3, 4, cell, values=[[str(12 + r * 4 + c) for c in range(4)] for r in range(3)])
    xs = (73, 202, 362, 571)
    shapes = ("()", "(4,)", "(3, 4)", "(2, 3, 4)")
    for i, (x, name, shape) in enumerate(zip(xs, names[lang], shapes)):
        svg.text(x, label_y - 24, name, bold=True)
        svg.text(x, label_y - 6, f"ndim = {i}", mono=True, size=12)
        svg.text(x, label_y + 12, f"shape = {shape}", mono=True, size=12)
    note = Text(es="Un lote de imágenes es un tensor 4-D: (N, C, H, W) = (lote, canales, alto, ancho).",
                en="A batch of images is a 4-D tensor: (N, C, H, W) = (batch, channels, height, width).")
    svg.text(380, 238, note.get(lang), size=12, fill=MUTED)
    svg.text(380, 24, t, size=14, bold=True)
    return svg.render()


def broadcasting(lang: str) -> str:
    """``(3, 1) + (1, 4)``: each size-1 dimension is stretched, the result is ``(3, 4)``."""
    t = Text(es="Broadcasting: (3, 1) + (1, 4) da (3, 4)", en="Broadcasting: (3, 1) + (1, 4) gives (3, 4)").get(lang)
    svg = Svg(760, 230, t)
    cell = 28
    top = 60
    col = [["0"], ["10"], ["20"]]
    row = [["0", "1", "2", "3"]]
    # a: (3, 1) stretched to (3, 4): real column solid, copies pale
    svg.grid(40, top, 3, 1, cell, values=col)
    for c in range(1, 4):
        svg.grid(40 + c * cell, top, 3, 1, cell, fill=GREY, stroke=GRID, values=col)
    svg.text(40 + 2 * cell, top + 3 * cell + 22, "a: (3, 1)", mono=True, size=12)
    svg.text(210, top + 1.5 * cell + 6, "+", size=22, bold=True)
    svg.grid(240, top, 1, 4, cell, fill=ORANGE, values=row)
    for r in range(1, 3):
        svg.grid(240, top + r * cell, 1, 4, cell, fill=GREY, stroke=GRID, values=row)
    svg.text(240 + 2 * cell, top + 3 * cell + 22, "b: (1, 4)", mono=True, size=12)
    svg.text(410, top + 1.5 * cell + 6, "=", size=22, bold=True)
    svg.grid(440, top, 3, 4, cell, fill=GREEN,
             values=[[str(10 * r + c) for c in range(4)] for r in range(3)])
    svg.text(440 + 2 * cell, top + 3 * cell + 22, "a + b: (3, 4)", mono=True, size=12)
    note = Text(es="Las celdas claras no existen en memoria: PyTorch repite el valor sin copiarlo.",
                en="The pale cells do not exist in memory: PyTorch repeats the value without copying it.")
    svg.text(380, 210, note.get(lang), size=12, fill=MUTED)
    svg.text(380, 28, t, size=14, bold=True)
    return svg.render()


# --- fc_nets ---------------------------------------------------------------------------------


def nn_pipeline(lang: str) -> str:
    """From an input to a human-readable output: encode, learn, numeric output, decode."""
    t = Text(es="Cómo trabaja una red neuronal", en="How a neural network works").get(lang)
    svg = Svg(900, 230, t)
    steps = {
        "es": [("entrada", "un punto del plano"), ("codificación numérica", "(numerical encoding)"),
               ("la red aprende", "patrones / pesos"), ("salida numérica", "logits"),
               ("salida legible", "para una persona")],
        "en": [("input", "a point on the plane"), ("numerical encoding", "numbers in a tensor"),
               ("the network learns", "patterns / weights"), ("numerical output", "logits"),
               ("readable output", "for a person")],
    }[lang]
    examples = ["(0.5, -0.2)", "tensor([0.5, -0.2])", "FCNet(2, [8], 2)", "tensor([-1.3, 2.1])",
                Text(es="«luna de abajo»", en='"lower moon"').get(lang)]
    w, h, gap, x0, y = 164, 70, 14, 11, 60
    fills = (GREY, BLUE, ORANGE, BLUE, GREEN)
    for i, ((head, sub), example, fill) in enumerate(zip(steps, examples, fills)):
        x = x0 + i * (w + gap)
        svg.rect(x, y, w, h, fill=fill, rx=8)
        svg.text(x + w / 2, y + 28, head, bold=True, size=12)
        svg.text(x + w / 2, y + 48, sub, size=11, fill=MUTED)
        svg.text(x + w / 2, y + h + 30, example, size=11, mono=True)
        if i:
            svg.line(x - gap + 2, y + h / 2, x - 3, y + h / 2, arrow=True, width=1.5)
    note = Text(es="Ejemplo con make_moons: dos números entran, dos puntuaciones salen, argmax elige la clase.",
                en="Example with make_moons: two numbers go in, two scores come out, argmax picks the class.")
    svg.text(450, 205, note.get(lang), size=12, fill=MUTED)
    svg.text(450, 28, t, size=14, bold=True)
    return svg.render()


def fc_layers(lang: str) -> str:
    """``FCNet(2, [5, 4], 3)``: the input, two hidden layers and the output layer, fully connected."""
    sizes = (2, 5, 4, 3)
    t = Text(es="Las capas de FCNet(2, [5, 4], 3)", en="The layers of FCNet(2, [5, 4], 3)").get(lang)
    svg = Svg(760, 400, t)
    xs = (110, 300, 490, 660)
    top, bottom = 70, 280
    centers = []
    for x, n in zip(xs, sizes):
        step = (bottom - top) / max(n, 1)
        centers.append([(x, top + step * (i + 0.5)) for i in range(n)])
    for left, right in zip(centers, centers[1:]):
        for (x1, y1) in left:
            for (x2, y2) in right:
                svg.line(x1 + 14, y1, x2 - 14, y2, stroke=GRID, width=0.8)
    fills = (GREY, BLUE, BLUE, GREEN)
    for layer, fill in zip(centers, fills):
        for (x, y) in layer:
            svg.circle(x, y, 14, fill=fill)
    names = {"es": ("capa de entrada", "capa oculta", "capa oculta", "capa de salida"),
             "en": ("input layer", "hidden layer", "hidden layer", "output layer")}[lang]
    subs = {"es": ("2 características de entrada", "5 neuronas + ReLU", "4 neuronas + ReLU", "3 logits"),
            "en": ("2 input features", "5 units + ReLU", "4 units + ReLU", "3 logits")}[lang]
    for x, name, sub in zip(xs, names, subs):
        svg.text(x, top - 18, name, bold=True, size=12)
        svg.text(x, bottom + 24, sub, size=11, fill=MUTED)
    for (xa, a), (xb, b) in zip(zip(xs, sizes), zip(xs[1:], sizes[1:])):
        params = a * b + b
        svg.text((xa + xb) / 2, bottom + 56, f"nn.Linear({a}, {b})", mono=True, size=11)
        svg.text((xa + xb) / 2, bottom + 72, f"{a}*{b} + {b} = {params}", mono=True, size=11, fill=MUTED)
    total = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    note = Text(es=f"Cada línea es un peso; cada neurona suma además un sesgo. Parámetros: {total}.",
                en=f"Each line is a weight; each unit also adds a bias. Parameters: {total}.")
    svg.text(380, 388, note.get(lang), size=12, fill=MUTED)
    svg.text(380, 24, t, size=14, bold=True)
    return svg.render()


# --- cnns ------------------------------------------------------------------------------------


def conv_sliding(lang: str) -> str:
    """A 3x3 filter sliding over a padded 5x5 image, and the 5x5 output it fills."""
    n, k, p, s = 5, 3, 1, 1
    out = conv_out(n, k, s, p)
    t = Text(es="Un filtro 3x3 se desliza por la imagen", en="A 3x3 filter slides over the image").get(lang)
    svg = Svg(760, 330, t)
    cell = 30
    x0, y0 = 50, 70
    size = n + 2 * p
    for r in range(size):
        for c in range(size):
            pad = r < p or c < p or r >= n + p or c >= n + p
            svg.rect(x0 + c * cell, y0 + r * cell, cell, cell, fill="white" if pad else BLUE,
                     stroke=GRID if pad else INK, dash="3,2" if pad else "")
            if pad:
                svg.text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell + 4, "0", size=11, fill=MUTED, mono=True)
    windows = [((0, 0), ORANGE_DARK), ((1, 2), GREEN_DARK)]
    for (r, c), colour in windows:
        svg.rect(x0 + c * s * cell, y0 + r * s * cell, k * cell, k * cell, stroke=colour, width=3)
    ox = 470
    for r in range(out):
        for c in range(out):
            svg.rect(ox + c * cell, y0 + (r + 1) * cell, cell, cell, fill=GREY)
    for (r, c), colour in windows:
        svg.rect(ox + c * cell, y0 + (r + 1) * cell, cell, cell, fill="white", stroke=colour, width=3)
        svg.line(x0 + (c * s + k) * cell + 2, y0 + (r * s + 1.5) * cell, ox + c * cell - 4,
                 y0 + (r + 1.5) * cell, stroke=colour, width=1.2, arrow=True, dash="5,3")
    head = Text(es=f"entrada {n}x{n} con padding={p}", en=f"{n}x{n} input with padding={p}").get(lang)
    svg.text(x0 + size * cell / 2, y0 - 12, head, size=12, bold=True)
    svg.text(ox + out * cell / 2, y0 + 12, Text(es=f"salida {out}x{out}", en=f"{out}x{out} output").get(lang),
             size=12, bold=True)
    formula = f"({n} + 2*{p} - {k}) // {s} + 1 = {out}"
    svg.text(380, 292, formula, mono=True, size=13)
    note = Text(es="Los mismos 9 pesos se usan en cada posición; cada posición da un número de la salida.",
                en="The same 9 weights are used at every position; each position gives one number of the output.")
    svg.text(380, 316, note.get(lang), size=12, fill=MUTED)
    svg.text(380, 26, t, size=14, bold=True)
    return svg.render()


# --- transfer_learning -----------------------------------------------------------------------


def frozen_backbone(lang: str) -> str:
    """The course's backbone, frozen, with its old head swapped for a new, trainable one."""
    t = Text(es="Un backbone congelado con una cabeza nueva", en="A frozen backbone with a new head").get(lang)
    svg = Svg(860, 270, t)
    y, h = 90, 80
    svg.rect(18, y, 70, h, fill=GREY, rx=6)
    svg.text(53, y + 36, Text(es="imagen", en="image").get(lang), size=12, bold=True)
    svg.text(53, y + 54, "1x16x16", size=10, mono=True, fill=MUTED)
    blocks = [("Conv 3x3 · BN", "ReLU · MaxPool", "16x8x8"), ("Conv 3x3 · BN", "ReLU · MaxPool", "32x4x4"),
              ("Conv 3x3 · BN", Text(es="ReLU · media", en="ReLU · average").get(lang), "64")]
    x = 118
    svg.rect(x - 12, y - 40, 3 * 150 + 12, h + 80, fill="none", stroke=BLUE_DARK, dash="6,4", width=1.5, rx=10)
    svg.text(x + 3 * 150 / 2 - 6, y - 20, Text(es="backbone congelado (frozen): requires_grad = False, modo eval",
                                                en="frozen backbone: requires_grad = False, eval mode").get(lang),
             size=12, bold=True, fill=BLUE_DARK)
    for i, (a, b, shape) in enumerate(blocks):
        bx = x + i * 150
        svg.rect(bx, y, 126, h, fill=BLUE, rx=6)
        svg.text(bx + 63, y + 30, a, size=12)
        svg.text(bx + 63, y + 48, b, size=12)
        svg.text(bx + 63, y + 68, shape, size=10, mono=True, fill=MUTED)
        svg.line(bx - 28 if i == 0 else bx - 22, y + h / 2, bx - 3, y + h / 2, arrow=True, width=1.4)
    svg.text(x + 3 * 150 / 2 - 6, y + h + 30,
             Text(es="64 características por imagen", en="64 features per image").get(lang),
             size=11, fill=MUTED)
    hx = x + 3 * 150 + 40
    # old head, crossed out
    svg.rect(hx, y - 30, 150, 52, fill=GREY, stroke=MUTED, rx=6)
    svg.text(hx + 75, y - 8, "Linear(64, 6)", size=12, mono=True, fill=MUTED)
    svg.text(hx + 75, y + 10, Text(es="cabeza vieja: 6 figuras", en="old head: 6 shapes").get(lang), size=10,
             fill=MUTED)
    svg.line(hx + 6, y - 26, hx + 144, y + 18, stroke=ORANGE_DARK, width=2.5)
    svg.line(hx + 6, y + 18, hx + 144, y - 26, stroke=ORANGE_DARK, width=2.5)
    # new head
    svg.rect(hx, y + 60, 150, 52, fill=GREEN, stroke=GREEN_DARK, width=2, rx=6)
    svg.text(hx + 75, y + 82, "Linear(64, 4)", size=12, mono=True, bold=True)
    svg.text(hx + 75, y + 100, Text(es="cabeza nueva: entrenable", en="new head: trainable").get(lang), size=10)
    out_x = x + 3 * 150 - 24  # the right edge of the last block
    svg.line(out_x + 2, y + h / 2, hx - 3, y - 4, stroke=MUTED, width=1.2, dash="4,3")
    svg.line(out_x + 2, y + h / 2, hx - 3, y + 86, arrow=True, width=1.4)
    note = Text(es="Solo la cabeza nueva aprende (con Adam sobre sus parámetros); el backbone no cambia ni un bit.",
                en="Only the new head learns (Adam over its parameters); the backbone does not change a single bit.")
    svg.text(430, 252, note.get(lang), size=12, fill=MUTED)
    svg.text(430, 26, t, size=14, bold=True)
    return svg.render()


# --- why_ml ------------------------------------------------------------------------------------


def train_test_curves(capacity: float) -> tuple[float, float]:
    """The schematic errors of the generalisation figure at one model capacity in [0, 1]:
    the training error keeps falling, the held-out error falls and then rises again."""
    train = 0.42 * math.exp(-3.2 * capacity) + 0.02
    test = train + 0.06 + 0.5 * capacity ** 3
    return train, test


def generalisation(lang: str) -> str:
    """Training error against error on held-out data as a model grows: where overfitting starts."""
    t = Text(es="Error en entrenamiento y en datos apartados", en="Error on training and on held-out data").get(lang)
    svg = Svg(720, 330, t)
    x0, y0, w, h = 90, 60, 560, 210  # plot area: top-left corner, width, height
    svg.line(x0, y0 + h, x0 + w + 10, y0 + h, arrow=True, width=1.4)
    svg.line(x0, y0 + h, x0, y0 - 10, arrow=True, width=1.4)
    steps = [i / 60 for i in range(61)]
    curves = [train_test_curves(c) for c in steps]
    ymax = max(test for _, test in curves)

    def point(c: float, err: float) -> tuple[float, float]:
        return x0 + c * w, y0 + h - err / ymax * h

    best = min(range(len(steps)), key=lambda i: curves[i][1])
    bx, _ = point(steps[best], 0)
    svg.rect(bx, y0, x0 + w - bx, h, fill=ORANGE, stroke="none")
    svg.polyline([point(c, tr) for c, (tr, _) in zip(steps, curves)], stroke=BLUE_DARK, width=2.5)
    svg.polyline([point(c, te) for c, (_, te) in zip(steps, curves)], stroke=ORANGE_DARK, width=2.5)
    svg.line(bx, y0, bx, y0 + h, stroke=GREEN_DARK, dash="5,4", width=1.5)
    svg.text(bx, y0 - 6, Text(es="el mejor punto para datos nuevos", en="the best point for new data").get(lang),
             size=11, fill=GREEN_DARK)
    svg.text(x0 + w - 10, y0 + 22, Text(es="sobreajuste (overfitting)", en="overfitting").get(lang), size=12,
             anchor="end", bold=True, fill=ORANGE_DARK)
    lx, ly = point(0.3, curves[18][0])
    svg.text(lx - 40, ly + 24, Text(es="error en entrenamiento", en="training error").get(lang), size=12,
             fill=BLUE_DARK, anchor="start")
    tx, ty = point(0.2, curves[12][1])
    svg.text(tx + 8, ty - 12,
             Text(es="error en datos apartados (prueba)", en="error on held-out (test) data").get(lang),
             size=12, fill=ORANGE_DARK, anchor="start")
    svg.text(x0 + w / 2, y0 + h + 26, Text(es="capacidad del modelo, o épocas de entrenamiento →",
                                           en="model capacity, or training epochs →").get(lang), size=12)
    svg.text(x0 - 14, y0 + h / 2, Text(es="error", en="error").get(lang), size=12, anchor="end")
    note = Text(es=("Esquema: memorizar el entrenamiento sigue bajando su error; solo los datos apartados "
                    "muestran cuándo empeora."),
                en=("Sketch: memorising the training set keeps lowering its error; only held-out data shows "
                    "when it gets worse."))
    svg.text(360, 318, note.get(lang), size=11, fill=MUTED)
    svg.text(360, 26, t, size=14, bold=True)
    return svg.render()


# --- paradigms ---------------------------------------------------------------------------------


def paradigms(lang: str) -> str:
    """What each learning paradigm starts from, and what it learns."""
    t = Text(es="Qué recibe cada paradigma", en="What each paradigm starts from").get(lang)
    svg = Svg(900, 300, t)
    panels = [
        (Text(es="supervisado", en="supervised"), BLUE,
         [Text(es="entradas", en="inputs"), Text(es="+ etiquetas (labels)", en="+ labels")],
         Text(es="aprende entrada → respuesta", en="learns input → answer")),
        (Text(es="no supervisado /", en="unsupervised /"), GREY,
         [Text(es="solo entradas", en="inputs only"), Text(es="(sin etiquetas)", en="(no labels)")],
         Text(es="grupos, o partes tapadas", en="groups, or hidden parts")),
        (Text(es="transfer learning", en="transfer learning"), GREEN,
         [Text(es="modelo preentrenado", en="pretrained model"), Text(es="+ pocas etiquetas", en="+ few labels")],
         Text(es="reusa patrones, cabeza nueva", en="reuses patterns, new head")),
        (Text(es="refuerzo", en="reinforcement"), ORANGE,
         [Text(es="un entorno", en="an environment"), Text(es="+ premios y castigos", en="+ rewards, punishments")],
         Text(es="acciones que suman premio", en="actions that earn reward")),
    ]
    w, gap, x0, y = 205, 14, 16, 60
    for i, (name, fill, inputs, learns) in enumerate(panels):
        x = x0 + i * (w + gap)
        svg.rect(x, y, w, 200, fill=fill, rx=8)
        svg.text(x + w / 2, y + 24, name.get(lang), size=12, bold=True)
        if i == 1:
            svg.text(x + w / 2, y + 40, Text(es="autosupervisado", en="self-supervised").get(lang), size=12, bold=True)
        for j, line in enumerate(inputs):
            svg.text(x + w / 2, y + 66 + 18 * j, line.get(lang), size=12)
        svg.line(x + w / 2, y + 100, x + w / 2, y + 130, arrow=True, width=1.5)
        svg.text(x + w / 2, y + 152, learns.get(lang), size=11, fill=INK)
    # the agent-environment loop of reinforcement learning
    rx = x0 + 3 * (w + gap)
    svg.text(rx + w / 2, y + 180, Text(es="acción → premio → acción ...", en="action → reward → action ...").get(lang),
             size=10, fill=MUTED, mono=True)
    note = Text(es="Primera pregunta: ¿hay un modelo preentrenado en algo parecido? Luego: ¿premios? ¿etiquetas?",
                en="First question: is there a model pretrained on something similar? Then: rewards? labels?")
    svg.text(450, 288, note.get(lang), size=12, fill=MUTED)
    svg.text(450, 30, t, size=14, bold=True)
    return svg.render()


# --- fc_nets -----------------------------------------------------------------------------------


ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "ReLU": lambda x: max(0.0, x),
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": math.tanh,
}


def activations(lang: str) -> str:
    """ReLU, sigmoid and tanh over [-4, 4], each with the range of its outputs."""
    t = Text(es="Tres funciones de activación", en="Three activation functions").get(lang)
    svg = Svg(900, 300, t)
    ranges = {"ReLU": "[0, ∞)", "sigmoid": "(0, 1)", "tanh": "(-1, 1)"}
    w, h, gap, x0, y0 = 250, 180, 40, 50, 60
    xs = [-4 + i * 0.1 for i in range(81)]
    for k, (name, f) in enumerate(ACTIVATIONS.items()):
        left = x0 + k * (w + gap)
        lo, hi = (-1.0, 4.0) if name == "ReLU" else (-1.2, 1.2)

        def point(x: float, yv: float, left: float = left, lo: float = lo, hi: float = hi) -> tuple[float, float]:
            return left + (x + 4) / 8 * w, y0 + h - (yv - lo) / (hi - lo) * h

        svg.rect(left, y0, w, h, fill="white", stroke=GRID)
        ax, ay = point(0, 0)
        svg.line(left, ay, left + w, ay, stroke=GRID)
        svg.line(ax, y0, ax, y0 + h, stroke=GRID)
        for level in ((0.0, 1.0) if name == "sigmoid" else (-1.0, 1.0) if name == "tanh" else ()):
            _, ly = point(0, level)
            svg.line(left, ly, left + w, ly, stroke=MUTED, dash="4,4")
            svg.text(left - 6, ly + 4, _n(level), size=10, anchor="end", fill=MUTED)
        svg.polyline([point(x, f(x)) for x in xs], stroke=BLUE_DARK, width=2.5)
        svg.text(left + w / 2, y0 - 10, name, size=14, bold=True, mono=True)
        svg.text(left + w / 2, y0 + h + 22,
                 Text(es=f"salidas en {ranges[name]}", en=f"outputs in {ranges[name]}").get(lang),
                 size=12)
        svg.text(left + 4, y0 + h - 6, "x = -4", size=9, anchor="start", fill=MUTED, mono=True)
        svg.text(left + w - 4, y0 + h - 6, "x = 4", size=9, anchor="end", fill=MUTED, mono=True)
    note = Text(es="Las tres doblan la recta: sin ellas, varias capas Linear seguidas equivalen a una sola.",
                en="All three bend the line: without them, several Linear layers in a row amount to one.")
    svg.text(450, 290, note.get(lang), size=12, fill=MUTED)
    svg.text(450, 28, t, size=14, bold=True)
    return svg.render()


#: Every figure, by name.
FIGURES: dict[str, Callable[[str], str]] = {
    "tensor_ranks": tensor_ranks,
    "broadcasting": broadcasting,
    "nn_pipeline": nn_pipeline,
    "fc_layers": fc_layers,
    "conv_sliding": conv_sliding,
    "frozen_backbone": frozen_backbone,
    "generalisation": generalisation,
    "paradigms": paradigms,
    "activations": activations,
}


def figure_path(name: str, lang: str) -> Path:
    return paths.lessons_dir() / FIGURES_DIR / f"{name}.{lang}.svg"


def expected_figures() -> dict[Path, str]:
    """Every figure file the lessons should have, by path."""
    return {figure_path(name, lang): draw(lang) for name, draw in FIGURES.items() for lang in ("es", "en")}


def out_of_sync() -> list[Path]:
    """Figure files that differ from what their functions draw (or are missing)."""
    from torchdojo.course.stubs import stale_files

    return stale_files(expected_figures())
