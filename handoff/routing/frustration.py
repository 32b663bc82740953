"""Is the customer upset enough that a person should take over? Checked on every message while the
bot has the conversation, in every language, before the bot answers.

Signals: insults or swearing (a small lexicon per language), shouting (mostly capital letters
over a whole sentence), and piles of exclamation marks together with a negative word. Deliberately
conservative: a false alarm costs an agent's minute, a miss costs a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INSULTS = {
    "en": ["idiot", "idiots", "stupid", "useless", "moron", "morons", "incompetent", "pathetic", "garbage",
           "crap", "shit", "fuck", "fucking", "damn", "wtf", "scam", "scammers", "ridiculous", "worst",
           "dumb", "clowns", "liars", "rip-off", "ripoff", "hopeless", "joke of a"],
    "id": ["bodoh", "goblok", "tolol", "bego", "anjing", "bangsat", "brengsek", "sialan", "penipu", "tai",
           "kampret", "parah banget", "gak becus", "nggak becus", "ga becus", "payah", "sampah", "bajingan"],
    "he": ["מטומטם", "מטומטמים", "אידיוט", "אידיוטים", "דפוק", "דפוקים", "חרא", "גרוע", "גרועים", "נוכלים",
           "רמאים", "זבל", "חסרי תועלת", "מגעיל", "בושה", "חצופים", "טיפש", "טיפשים", "מזעזע"],
}
NEGATIVE = {"not", "never", "no", "again", "still", "where", "why", "tidak", "gak", "belum", "kenapa", "לא", "למה",
            "עדיין", "איפה"}

# Words that are insults only outside a product's name: "anjing" (dog) in "makanan anjing" (dog food).
NOT_INSULTS = re.compile(r"\b(makanan|pakan|dog\s*food|mainan|kalung|kandang)\s+anjing\b"
                         r"|\banjing\s+(sy|saya|aku|gw|kami)\b")

_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Frustration:
    signal: str  # insult | shouting | exclamations
    evidence: str


def _insult(text: str) -> str | None:
    lowered = NOT_INSULTS.sub(" ", text.lower())
    words = set(_WORDS.findall(lowered))
    for terms in INSULTS.values():
        for term in terms:
            if (" " in term and term in lowered) or term in words:
                return term
            # Hebrew glues prefixes (ה, ו, ש, ל, ב, מ, כ) to words: "והמטומטמים".
            if term[0] >= "\u0590" and any(w.endswith(term) and len(w) - len(term) <= 2 for w in words):
                return term
    return None


def detect(text: str) -> Frustration | None:
    if term := _insult(text):
        return Frustration("insult", term)
    letters = [c for c in text if c.isalpha() and c.isascii()]
    words = _WORDS.findall(text)
    if len(letters) >= 12 and len(words) >= 3 and sum(c.isupper() for c in letters) / len(letters) >= 0.8:
        return Frustration("shouting", text[:60])
    if text.count("!") >= 3 and NEGATIVE & {w.lower() for w in words}:
        return Frustration("exclamations", text[:60])
    return None
