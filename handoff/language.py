"""Which of the shop's languages (en, id, he) a customer message is in.

py3langid (its model ships in the package, so it works offline) restricted to our three
languages, plus what it cannot know: Hebrew is certain from its script, and short chat messages
("ok", "10042", "refund dong") are decided by common Indonesian chat words or, failing that, by
the hint: the conversation's current language or the widget's locale.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

LANGUAGES = ("en", "id", "he")
_HEBREW = re.compile(r"[\u0590-\u05FF]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NOT_LANGUAGE = re.compile(r"\S+@\S+|https?://\S+|\S*\d\S*")
# Frequent in Indonesian chats and rare in English ones (slang and particles included).
INDONESIAN = frozenset(
    {
        "saya",
        "aku",
        "sy",
        "gw",
        "gue",
        "kak",
        "kakak",
        "min",
        "gan",
        "sis",
        "dong",
        "ya",
        "yg",
        "yang",
        "nggak",
        "ngga",
        "gak",
        "ga",
        "enggak",
        "tidak",
        "tdk",
        "udah",
        "sudah",
        "udh",
        "belum",
        "blm",
        "mau",
        "bisa",
        "tolong",
        "gimana",
        "gmn",
        "bagaimana",
        "kapan",
        "dimana",
        "mana",
        "apa",
        "kok",
        "sih",
        "deh",
        "nih",
        "aja",
        "saja",
        "kalau",
        "kalo",
        "pesanan",
        "pesan",
        "barang",
        "kirim",
        "dikirim",
        "bayar",
        "pembayaran",
        "terima",
        "kasih",
        "makasih",
        "trims",
        "tagihan",
        "faktur",
        "ongkir",
        "resi",
        "batal",
        "batalin",
        "dibatalkan",
        "ganti",
        "tukar",
        "alamat",
        "nomor",
        "dan",
        "atau",
        "ini",
        "itu",
        "untuk",
        "buat",
        "dari",
        "ke",
        "di",
        "sama",
        "juga",
        "lagi",
        "bang",
        "mas",
        "mbak",
        "pak",
        "bu",
        "halo",
        "selamat",
        "pagi",
        "siang",
        "sore",
        "malam",
        "iya",
        "betul",
        "oke",
        "siap",
        "boleh",
        "jangan",
        "kenapa",
        "berapa",
    }
)


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect(text: str, hint: str | None = None) -> str:
    fallback = hint if hint in LANGUAGES else "en"
    if _HEBREW.search(text):
        return "he"
    # E-mail addresses, ids and numbers are in no language: "customer0042@example.com" is not English.
    text = _NOT_LANGUAGE.sub(" ", text)
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return fallback
    indonesian = sum(w in INDONESIAN for w in words)
    if indonesian and indonesian / len(words) >= 0.2:
        return "id"
    if len(words) <= 1 and len("".join(words)) < 8:
        return fallback  # "ok", "thanks": both languages write these
    language, probability = _identifier().classify(text)
    if probability < 0.7:
        return fallback
    return str(language)
