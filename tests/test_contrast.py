"""The navbar's link colour on the portal red meets WCAG AA (4.5:1 for normal text)."""

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "portal.css").read_text()


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b):
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex(value):
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def _over(rgba, background):
    *rgb, alpha = rgba
    return tuple(round(alpha * c + (1 - alpha) * b) for c, b in zip(rgb, background, strict=True))


def test_navbar_links_are_readable_on_the_red():
    red = _hex(re.search(r"--portal-red:\s*(#[0-9a-fA-F]{6})", CSS).group(1))
    block = re.search(r"\.navbar\.bg-portal\s*\{([^}]*)\}", CSS).group(1)
    for name in ("color", "hover-color", "active-color"):
        value = re.search(rf"--bs-navbar-{name}:\s*([^;]+);", block).group(1).strip()
        if value.startswith("#"):
            colour = _hex(value)
        else:
            r, g, b, a = (float(x) for x in re.findall(r"[\d.]+", value))
            colour = _over((r, g, b, a), red)
        assert _contrast(colour, red) >= 4.5, (name, value)
