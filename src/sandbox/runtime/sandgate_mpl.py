# A matplotlib backend (MPLBACKEND=module://sandgate_mpl): Agg rendering, but plt.show() hands every
# open figure to the driver as a chart instead of trying to open a window.
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

import sandgate_charts

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args, **kwargs):
    sandgate_charts.on_show()
