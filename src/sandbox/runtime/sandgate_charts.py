# Turns matplotlib figures into chart objects shaped like Daytona's ({type, title, png, x_label,
# y_label, elements}). Never imports matplotlib itself: code that did not plot pays nothing.
import base64
import io
import sys

MAX_POINTS = 1000
_shown = []


def on_show():
    """plt.show() under our backend: capture every open figure now, in order, and close it."""
    _shown.extend(_capture_open())


def collect():
    """Charts shown during this run plus figures left open at its end."""
    charts = _shown[:] + _capture_open()
    del _shown[:]
    return charts


def _capture_open():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    charts = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        try:
            charts.append(figure_to_chart(fig))
        finally:
            plt.close(fig)
    return charts


def _points(xs, ys):
    pts = []
    for x, y in zip(xs, ys):
        pts.append([_num(x), _num(y)])
        if len(pts) >= MAX_POINTS:
            break
    return pts


def _num(v):
    try:
        f = float(v)
        return f if f == f and f not in (float("inf"), float("-inf")) else None
    except (TypeError, ValueError):
        return str(v)


def _label(artist):
    label = artist.get_label() or ""
    return "" if label.startswith("_") else label


def _describe_axes(ax):
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer
    from matplotlib.patches import Wedge

    wedges = [p for p in ax.patches if isinstance(p, Wedge)]
    if wedges:
        texts = [t.get_text() for t in ax.texts]
        elements = []
        for i, w in enumerate(wedges):
            label = _label(w) or (texts[i * 2] if len(texts) > i * 2 and len(texts) >= len(wedges) else "")
            elements.append({"label": label, "angle": _num(w.theta2 - w.theta1), "radius": _num(w.r)})
        return "pie", elements
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    if bars:
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        elements = []
        for container in bars:
            group = _label(container)
            for i, rect in enumerate(container.patches):
                x = rect.get_x() + rect.get_width() / 2
                label = ticks[i] if i < len(ticks) and ticks[i] else _num(x)
                elements.append({"label": label, "group": group, "value": _num(rect.get_height())})
        return "bar", elements
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    if scatters:
        elements = []
        for c in scatters:
            offsets = c.get_offsets()
            elements.append({"label": _label(c), "points": _points(offsets[:, 0], offsets[:, 1])})
        return "scatter", elements
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 0]
    if lines:
        elements = [{"label": _label(ln), "points": _points(ln.get_xdata(), ln.get_ydata())} for ln in lines]
        return "line", elements
    return "unknown", []


def figure_to_chart(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    axes = [ax for ax in fig.get_axes() if ax.has_data()] or fig.get_axes()
    chart = {"type": "unknown", "title": "", "png": base64.b64encode(buf.getvalue()).decode("ascii"),
             "elements": []}
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    if axes:
        ax = axes[0]
        kind, elements = _describe_axes(ax)
        chart.update(type=kind, elements=elements, title=ax.get_title() or suptitle)
        if kind != "pie":
            chart.update(x_label=ax.get_xlabel(), y_label=ax.get_ylabel())
    else:
        chart["title"] = suptitle
    return chart
