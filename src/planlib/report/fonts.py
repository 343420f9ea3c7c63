"""Chinese-capable fonts for matplotlib, installed through the project's own dependencies.

The PyPI package ``mplfonts`` ships Noto Sans CJK SC. ``register_cjk_font`` adds it to
matplotlib's font manager so the house style can list it as a fallback after DejaVu Sans:
Latin text keeps DejaVu, Chinese characters are drawn with Noto. Without it matplotlib
draws boxes and warns "Glyph … missing"; planlib then warns once, clearly, and goes on.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

CJK_FILES = ("NotoSansCJKsc-Regular.otf", "SourceHanSansSC-Regular.otf")


class CJKFontWarning(UserWarning):
    """No Chinese-capable font could be registered with matplotlib."""


def _candidates() -> list[Path]:
    paths: list[Path] = []
    try:
        import mplfonts
        base = Path(mplfonts.__file__).parent / "fonts"
        paths += [base / f for f in CJK_FILES]
    except ImportError:
        pass
    paths += [Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")]
    return [p for p in paths if p.is_file()]


@lru_cache(maxsize=1)
def register_cjk_font() -> str | None:
    """Register a CJK font with matplotlib; return its family name, or None (with a warning)."""
    import logging

    from matplotlib import font_manager
    # Noto Sans CJK here has one weight; bold titles use it at regular weight without fuss.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    for path in _candidates():
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (RuntimeError, OSError, ValueError):
            continue
    warnings.warn("No Chinese font found (install the 'mplfonts' package): Chinese text in figures "
                  "will fall back to DejaVu Sans and show as boxes.", CJKFontWarning, stacklevel=2)
    return None


def cjk_font_file() -> Path | None:
    """The file of the Chinese-capable font planlib uses (mplfonts' Noto Sans CJK SC, else the
    system's Noto CJK), or None: also what the PDF print run gives the browser as a web font, so
    Chinese prints on machines without a Chinese system font."""
    found = _candidates()
    return found[0] if found else None
