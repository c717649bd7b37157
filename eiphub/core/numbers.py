"""Number formatting for generated text: Vietnamese 1.234,5 and English 1,234.5."""

from __future__ import annotations


def format_number(value: float, lang: str = "vi", decimals: int = 1, trim: bool = True) -> str:
    """Format with thousands grouping; ``trim`` drops a zero fraction (76,0 -> 76)."""
    text = f"{value:,.{decimals}f}"
    if trim and decimals and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang.startswith("vi"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text
