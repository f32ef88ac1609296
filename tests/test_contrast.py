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


# Text on Bootstrap's tinted backgrounds (axe's color-contrast on the unit's late and due-soon
# rows, calendar days of another month, card headers): the portal's link blue and secondary
# grey, read from portal.css, against every resting background read from Bootstrap's CSS.
BOOTSTRAP = (Path(__file__).resolve().parents[1] / "static" / "vendor" / "bootstrap-5.3.9" / "css"
             / "bootstrap.min.css").read_text()
PROPOSALS_CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "proposals.css").read_text()
WHITE = (255, 255, 255)


def _root_rgb(css, name):
    return tuple(int(c) for c in re.search(rf"--bs-{name}-rgb:\s*(\d+),\s*(\d+),\s*(\d+)", css).groups())


def _tints():
    light_root = re.search(r":root,\[data-bs-theme=light\]\{([^}]*)\}", BOOTSTRAP).group(1)
    tints = {"white": WHITE, "bg-light": _root_rgb(light_root, "light")}
    for name, colour in re.findall(
        r"\.table-(primary|secondary|success|info|warning|danger|light)\{--bs-table-color:#000;"
        r"--bs-table-bg:(#[0-9a-f]{6})", BOOTSTRAP
    ):
        tints[f"table-{name}"] = _hex(colour)
    table = re.search(r"\.table\{([^}]*)\}", BOOTSTRAP).group(1)
    for state in ("striped", "hover"):
        alpha = float(re.search(rf"--bs-table-{state}-bg:rgba\(var\(--bs-emphasis-color-rgb\), ([\d.]+)\)",
                                table).group(1))
        tints[f"table-{state}"] = _over((*_root_rgb(light_root, "emphasis-color"), alpha), WHITE)
    cap = float(re.search(r"--bs-card-cap-bg:rgba\(var\(--bs-body-color-rgb\), ([\d.]+)\)", BOOTSTRAP).group(1))
    tints["card-header"] = _over((*_root_rgb(light_root, "body-color"), cap), WHITE)
    return tints


def test_links_and_secondary_text_are_readable_on_every_tint():
    root = re.search(r":root\s*\{([^}]*)\}", CSS).group(1)
    tints = _tints()
    assert {"table-warning", "table-danger", "bg-light", "card-header"} <= tints.keys()
    for name in ("link-color", "link-hover-color", "secondary"):
        colour = _root_rgb(root, name)
        for tint, background in tints.items():
            assert _contrast(colour, background) >= 4.5, (name, tint, _contrast(colour, background))


def test_proposal_state_badges_are_readable():
    badges = [(selectors, body) for selectors, body
              in re.findall(r"((?:\.state-\w+(?:,\s*)?)+)\s*\{([^}]*)\}", PROPOSALS_CSS)
              if "background-color" in body]
    assert len(badges) >= 6
    for selectors, body in badges:
        background = _hex(re.search(r"background-color:\s*(#[0-9a-fA-F]{3,6})", body).group(1))
        text = re.search(r"(?<!-)color:\s*(#[0-9a-fA-F]{3,6})", body)
        colour = _hex(text.group(1)) if text else WHITE  # a Bootstrap badge's text is white
        assert _contrast(colour, background) >= 4.5, (selectors, _contrast(colour, background))


def test_outline_warning_buttons_are_readable():
    colour = _hex(re.search(r"\.btn-outline-warning\s*\{\s*--bs-btn-color:\s*(#[0-9a-fA-F]{6})", CSS).group(1))
    assert _contrast(colour, WHITE) >= 4.5
