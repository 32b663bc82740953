"""Which catalogue product a message names, the way customers say it: aliases in three
languages, sizes written "10 inch" or '10"', Hebrew prefixes and plurals, close misspellings."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

# Words customers use for products, in the three languages, mapped to words of the catalogue names.
# Hebrew words are listed by stem (see _hebrew_forms), so prefixes and plurals match too.
ALIASES = {
    "headphone": "headphones", "headset": "headphones", "earphone": "earbuds", "earbud": "earbuds",
    "buds": "earbuds", "airpods": "earbuds", "tws": "earbuds", "anc": "cancelling",
    "charger": "charger", "casan": "charger", "cas": "charger", "adaptor": "charger", "adapter": "charger",
    "watch": "watch", "jam": "watch", "smartwatch": "watch", "stand": "stand", "keyboard": "keyboard",
    "keyboar": "keyboard", "kb": "keyboard", "keeb": "keyboard", "webcam": "webcam", "camera": "webcam",
    "kamera": "webcam", "cam": "webcam", "ssd": "ssd", "disk": "ssd", "drive": "ssd", "hdd": "ssd",
    "case": "case", "casing": "case", "cover": "case", "softcase": "case", "speaker": "speaker",
    "spiker": "speaker", "mouse": "mouse", "mose": "mouse", "monitor": "monitor", "screen": "monitor",
    "layar": "monitor", "hdmi": "hdmi", "cable": "cable", "kabel": "cable", "lamp": "lamp", "lampu": "lamp",
    "powerbank": "power", "power": "power", "pb": "power", "fitness": "fitness", "band": "band",
    "tracker": "fitness", "ereader": "e-reader", "e-reader": "e-reader", "kindle": "e-reader",
    "tablet": "tablet", "tab": "tablet", "ipad": "tablet", "router": "router", "wifi": "router",
    "modem": "router", "dog": "dog", "anjing": "dog", "food": "food", "makanan": "food", "pakan": "food",
    # Hebrew stems: headphones, charger, watch, keyboard, camera, case, speaker, mouse, screen, lamp,
    # battery, tablet, router, dog, food.
    "אוזני": "headphones", "מטען": "charger", "שעונ": "watch", "שעון": "watch", "מקלד": "keyboard",
    "מצלמ": "webcam", "כיסוי": "case", "רמקול": "speaker", "עכבר": "mouse", "מסכ": "monitor",
    "מסך": "monitor", "מנור": "lamp", "סולל": "power", "טאבלט": "tablet", "ראוטר": "router", "נתב": "router",
    "כלב": "dog", "אוכל": "food",
}
_HEBREW_PREFIXES = "הובלמשכ"
_FINAL_FORMS = str.maketrans("ךםןףץ", "כמנפצ")  # a suffix turns a final letter into its usual form
_HEBREW_SUFFIXES = tuple(x.translate(_FINAL_FORMS) for x in ("ות", "ים", "יות", "ה", "ת"))
# "10 inch", "10-inch", '10"' and "10in" are one token, as in the catalogue's names.
_SIZE = re.compile(r"(\d+)\s*(?:-\s*)?(?:inches|inch|in\b|\"|”|אינץ'?)", re.IGNORECASE)


def _hebrew_forms(word: str) -> list[str]:
    """Readings of a Hebrew word without up to three one-letter prefixes and a plural/feminine
    ending ("והמקלדות" -> ..., "מקלד"), longest first; a non-Hebrew word is its own only form."""
    if not word or not "\u0590" <= word[0] <= "\u05ff":
        return [word]
    word = word.translate(_FINAL_FORMS)
    bases = [word[i:] for i in range(4) if len(word) - i >= 3 and all(c in _HEBREW_PREFIXES for c in word[:i])]
    forms = [*bases, *(b[: -len(x)] for b in bases for x in _HEBREW_SUFFIXES if b.endswith(x) and len(b) - len(x) >= 3)]
    return sorted(set(forms), key=len, reverse=True)


_ALIASES = {key.translate(_FINAL_FORMS): value for key, value in ALIASES.items()}


def _alias(word: str) -> str:
    for form in _hebrew_forms(word):
        if form in _ALIASES:
            return _ALIASES[form]
    return ALIASES.get(word.rstrip("s"), word)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", _SIZE.sub(lambda m: f" {m.group(1)}in ", text.lower()))


def match_product(text: str, products: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The catalogue product the text names, by shared words (and aliases), else None."""
    wanted = {_alias(w) for w in _words(text)}
    best, best_score = None, 0.0
    for product in products:
        name_words = set(_words(product["name"]))
        # A size alone ("10in") is weak evidence; a size with a name word is strong.
        shared = wanted & name_words
        score = sum(0.5 if w[:1].isdigit() else 1.0 for w in shared)
        if score == 0:
            # Typos: a close spelling of a longer name word still counts.
            score = max((SequenceMatcher(None, w, n).ratio() for w in wanted for n in name_words if len(n) > 4),
                        default=0.0)
            score = 0.9 if score >= 0.85 else 0.0
        if score > best_score:
            best, best_score = product, score
    return best
