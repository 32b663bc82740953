"""Where a message names a person or gives a street address, found by the words around them.

Names and addresses have no fixed shape, so these rules read the cue before them ("my name is",
"nama saya", "שמי", "Jl.", "רחוב", "Street") in any of the shop's three languages: customers mix
them (Hebrew with Latin names, Indonesian with English words). Each function returns spans
(start, end) of the value only, never the cue, so "my name is [name]" stays a useful sentence.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from functools import lru_cache

Span = tuple[int, int]

_HE = "\u05d0-\u05ea"  # Hebrew letters, alef to tav
_LAT = "A-Za-z\u00c0-\u024f"
# One-letter Hebrew prefixes (and, in/at, to, from, that, the) glued to the next word: "ותמר", "ברחוב".
_HE_PREFIX = "ובלמשה"
_GAP = re.compile(r"[ \t]+")
_WORD = re.compile(rf"[{_LAT}][{_LAT}'’-]*[{_LAT}]|[{_LAT}]|[{_HE}][{_HE}'׳\"״]*")


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Words that end (or rule out) a name after a cue: "my name is not on the invoice", "nama saya
# salah", "thanks again", "שמי לא מופיע". Lower-case; compared with the word as typed.
STOP = _words(
    """
    a an the and or but so i im i'm me my mine you u your ur we our us he she they it its it's is am are
    was were be been not no yes ok okay here there this that from for to of in on at by with about
    order orders number still also just please pls plz thanks thank thx ty again much lot all everyone
    guys team bro sis man dude mate sir madam maam hi hello hey dear good morning evening afternoon
    wrong missing spelled spelt incorrect correct different changed listed written under why what how
    when where who can could would will should did do does have has had need want wanted waiting
    asking writing calling trying looking contacting back angry upset sorry happy confused sure fine
    done going customer account email phone really very too now today yesterday tomorrow bye cheers
    regards best advance help support in reply
    saya sy aku gw gue kami kita kamu anda dia nya mau ingin pengen pingin sudah udah udh sdh belum blm
    tidak tdk gak ga nggak ngga enggak bisa boleh tolong mohon minta tanya nanya cek bantu dong ya yaa
    yah oke kak kakak min admin gan bos bang mas mbak pak bu ibu bapak dari di ke yang yg dan atau tapi
    juga lagi lg sih kok deh nih tuh aja saja pesan pesanan orderan beli bayar barang paket mana kapan
    kenapa gimana gmn apa salah beda benar bener sama ganti ubah terima kasih makasih banyak trims
    selamat pagi siang sore malam halo hai assalamualaikum ini itu adalah akan sedang masih cuma hanya
    sekali semua kenal banget bgt email e-mail mail
    אני אתה את הוא היא אנחנו שלי שלך של לא כן רוצה רציתי צריך צריכה מבקש מבקשת יש אין זה זו זאת מה
    איך למה מתי איפה עם על הזמנה ההזמנה הזמנתי תודה רבה מראש בבקשה שלום היי הי אהלן בוקר ערב טוב
    אחי אחותי גבר מאמי חביבי לכם לך לכולם נכתב מופיע שגוי טעות נכון שונה בחשבונית בהזמנה גם עדיין
    רק כבר עכשיו היום אתמול מחר הנה פה כאן מ מייל המייל אימייל גר גרה גרים גרות נמצא נמצאת תשלחו שלחו
    למשלוח משלוח אותי אותך אותו אותה אתכם אותנו איתך איתו מאוד באמת ממש כל הכל החברה העסק עסק חברה אשתי
    בעלי אמא אבא אתם אתן הם הן
    perusahaan pt cv toko atas kindly heaps company business
    monday tuesday wednesday thursday friday saturday sunday january february march july august september
    october november december senin selasa rabu kamis jumat sabtu minggu indonesian israeli american
    """
)

# Given names that are also everyday words in one of our languages ("grace period", "to be
# frank", "putri" = princess, "תמר" = date fruit, "מיכל" = tank): a known name among these is
# redacted only in a full name, after a cue or a greeting, or capitalised mid-sentence.
AMBIGUOUS = _words(
    """
    grace frank jack hall will mark bill rose may june april summer hope joy faith ray dean pat sue
    don guy art chase hunter brown young king wood green white black gray grey long little park
    price cash cook baker rich sharp stone field hill lane street page case bell
    putri intan indah bunga bintang cahaya mawar
    tamar תמר איתי שירה מיכל פרץ עומר אור טל גל ים חן שחר דור עדי אלון ברק אביב נועם הדר שקד רותם כהן
    """
)

_GREETING = r"(?:hi|hello|hey|dear|halo|hallo|hai|pak|bu|mas|mbak|kak|היי|הי|שלום|אהלן)"

# Cues in any language: the next one to three words are a name.
_STRONG_CUE = re.compile(
    r"(?:\bmy\s+name\s+is|\bmy\s+name'?s|\bname\s*:|\bname\s+is|\bin\s+the\s+name\s+of"
    r"|\bunder\s+the\s+name(?:\s+of)?|\bnama\s+(?:saya|sy|gw|gue|aku|ku)(?:\s+adalah)?|\bnamaku"
    r"|\bnama\s*:|\batas\s+nama|\ba\s?\.\s?n\b\.?|\ba/n\b|\bpanggil\s+(?:saya|aja|sy)"
    # "שמי" is "my name", but "על שמי" is "in my name" and "שמישהו" is "that someone".
    rf"|(?<![{_HE}])(?<!על\s)(?:שמי|השם\s+שלי(?:\s+הוא|\s+היא)?|קוראים\s+לי|שם\s*:|על\s+שם|ע[\"״]ש)(?![{_HE}]))"
    # The cue is a whole word: "nama aku" is a cue, "nama akun" (account name) is not.
    r"(?:(?<=:)|(?![^\W\d_]))\s*[:\-]?\s*",
    re.IGNORECASE,
)
# Weaker cues, only in the message's own language and only before a capitalised word:
# "I'm Sarah" but not "I'm waiting"; "saya Budi" but not "saya mau".
_WEAK_CUE = {
    "en": re.compile(r"\b(?:i'?m|i\s+am|this\s+is|it'?s|call\s+me)\s+(?=(?-i:[A-Z]))", re.IGNORECASE),
    "id": re.compile(r"\b(?:saya|sy|aku|gw|gue)\s+(?=(?-i:[A-Z]))", re.IGNORECASE),
    "he": None,
}
# A sign-off at the very end of the message: "thanks, Dana", "makasih, Budi", "תודה, יוסי".
# Without punctuation between them, only a capitalised Latin word counts ("thanks Dana", not "thanks
# heaps", "makasih infonya", "תודה ענקית"): Hebrew has no capitals, so it needs the comma.
_SIGN_OFF = re.compile(
    r"(?:\bthanks|\bthank\s+you|\bthx|\bthnx|\btq|\bregards|\bcheers|\bmakasih|\bterima\s*kasih"
    r"|\btrims|\bsalam|\bwassalam|תודה(?:\s+רבה)?|בברכה)(?![^\W\d_])(?:(?P<mark>\s*[,.!:\n\-–—]+\s*)|\s+)"
    r"|(?:^|\n)(?P<dash>\s*[-–—]{1,2}\s*)",
    re.IGNORECASE,
)


def _name_words(text: str, at: int, *, limit: int, capitalised: bool) -> Span | None:
    """The run of name words starting at `at`: it stops at a stop word, punctuation or `limit` words."""
    end = at
    first_upper: bool | None = None
    for count in range(limit):
        start = end
        if count:
            gap = _GAP.match(text, end)
            if gap is None:
                break
            start = gap.end()
        word = _WORD.match(text, start)
        if word is None:
            break
        value = word.group()
        lowered = value.lower().rstrip("'’")
        # A Hebrew word starting with "ו" ("and") opens a new clause ("שמי דנה ואני ..."); names such as
        # ורד are missed after a cue (the shop's known names still catch them).
        if lowered in STOP or value[0] == "ו" or (count and value[0] in _HE_PREFIX and value[1:] in STOP):
            break
        if not _is_hebrew(value[0]):
            upper = value[0].isupper()
            if (capitalised or first_upper) and not upper:
                break
            first_upper = upper if first_upper is None else first_upper
        end = word.end()
    return (at, end) if end > at else None


def _is_hebrew(char: str) -> bool:
    return "\u05d0" <= char <= "\u05ea"


def find_names(text: str, language: str, known_names: Collection[str] = ()) -> list[Span]:
    """Spans of people's names: after a cue, in a sign-off, or one of the shop's known customers."""
    spans: list[Span] = []
    for cue in _STRONG_CUE.finditer(text):
        if (span := _name_words(text, cue.end(), limit=3, capitalised=False)) is not None:
            spans.append(span)
    weak = _WEAK_CUE.get(language)
    if weak is not None:
        for cue in weak.finditer(text):
            if (span := _name_words(text, cue.end(), limit=2, capitalised=True)) is not None:
                spans.append(span)
    for cue in _SIGN_OFF.finditer(text):
        marked = cue.group("mark") is not None or cue.group("dash") is not None
        if not marked and _is_hebrew(text[cue.end() : cue.end() + 1]):
            continue
        span = _name_words(text, cue.end(), limit=2, capitalised=not marked)
        if span is not None and re.fullmatch(r"[\s.!)]*", text[span[1] :]):
            spans.append(span)
    if known_names:
        spans.extend(_known(text, _known_patterns(frozenset(known_names))))
    return spans


@lru_cache(maxsize=8)
def _known_patterns(names: frozenset[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One pattern for the shop's full names, one for their single first or last names."""
    full = sorted({" ".join(n.split()) for n in names if len(n.split()) > 1}, key=len, reverse=True)
    words = sorted({w for n in names for w in n.split() if len(w) > 1}, key=len, reverse=True)
    border = rf"(?<![{_LAT}{_HE}0-9])(?:[{_HE_PREFIX}]{{1,2}}(?=[{_LAT}{_HE}]))?"
    after = rf"(?![{_LAT}{_HE}0-9])"

    def alternation(items: list[str]) -> str:
        return "|".join(r"\s+".join(re.escape(part) for part in item.split()) for item in items)

    full_re = re.compile(rf"{border}({alternation(full)}){after}", re.IGNORECASE) if full else None
    word_re = re.compile(rf"{border}({alternation(words)}){after}", re.IGNORECASE) if words else None
    return full_re, word_re


def _known(text: str, patterns: tuple[re.Pattern[str] | None, re.Pattern[str] | None]) -> Iterator[Span]:
    full_re, word_re = patterns
    if full_re is not None:
        for match in full_re.finditer(text):
            yield match.span(1)
    if word_re is None:
        return
    for match in word_re.finditer(text):
        value = match.group(1)
        if value.lower() not in AMBIGUOUS or _name_position(text, match.start(1), value):
            yield match.span(1)


def _name_position(text: str, start: int, value: str) -> bool:
    """Whether an everyday-word name stands where only a name would: after a greeting, or capitalised
    in the middle of a Latin sentence."""
    before = text[:start]
    if re.search(rf"\b{_GREETING}[\s,]*[{_HE_PREFIX}]?$", before, re.IGNORECASE):
        return True
    mid_sentence = bool(re.search(r"[^\W\d_][\s,]*$", before)) and not re.search(r"[.!?\n]\s*$", before)
    return value[0].isascii() and value[0].isupper() and mid_sentence


# --- Addresses -------------------------------------------------------------------------------------

_EN_STREET = (
    r"street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|highway|hwy|parkway|pkwy"
    r"|drive|dr|court|ct|place|pl|way|terrace|circle|cir"
)
# Street words that are also ordinary English ("in the way", "first place"): only when capitalised.
_EN_WEAK_STREET = _words("drive dr court ct place pl way terrace circle cir")
_EN_ADDRESS = re.compile(
    r"(?<![0-9A-Za-z])[0-9]{1,5}[A-Za-z]?(?P<words>(?:\s+[A-Za-z][A-Za-z.'-]*){1,3}?)"
    rf"\s+(?P<street>(?i:{_EN_STREET}))\b\.?"
    r"(?:,?\s*(?i:apt|apartment|unit|suite|ste|fl|floor|\#)\.?\s*[0-9A-Za-z-]{1,6}\b)?"
    # The city only with a state code after it: "Seattle, WA" is part of an address, "Seattle" alone is not.
    r"(?:,\s*[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)?,?\s+[A-Z]{2}\b)?"
    r"(?:,?\s*[0-9]{5}(?:-[0-9]{4})?(?![0-9]))?",
)
_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s*Box\s*[0-9]{1,6}\b", re.IGNORECASE)
_ID_ADDRESS = re.compile(
    r"\b(?P<cue>jl|jln|jalan|gg|gang)\b\.?\s*(?P<words>(?:[A-Za-z][A-Za-z.'-]*\s*){1,4}?)"
    r"(?P<no>(?:no|nomor|nmr)\b\.?\s*)?[0-9]{1,4}[A-Za-z]?(?![0-9])"
    r"(?:\s*,?\s*(?:rt|rw)\b\.?\s*[0-9]{1,3}(?:\s*/\s*(?:rw\.?\s*)?[0-9]{1,3})?)*"
    r"(?:\s*,?\s*(?:blok|blk)\b\.?\s*[A-Za-z0-9-]{1,5})?"
    r"(?:,\s*(?:kel|kelurahan|kec|kecamatan|kab|kabupaten|kota|desa|ds)\b\.?\s+[A-Za-z]+(?:\s+[A-Za-z]+)?)*"
    r"(?:,?\s*[0-9]{5}(?![0-9]))?",
    re.IGNORECASE,
)
_ID_ESTATE = re.compile(
    r"\b(?:perum|perumahan|komplek|kompleks|komp|cluster|apartemen)\b\.?\s*(?:[A-Za-z][A-Za-z.'-]*\s+){1,4}?"
    r"(?:blok|blk|no|nomor)\b\.?\s*[A-Za-z0-9/-]{1,6}(?:\s*(?:no|nomor)\b\.?\s*[0-9]{1,4})?"
    r"|\bRT\b\.?\s*[0-9]{1,3}\s*/?\s*RW\b\.?\s*[0-9]{1,3}",
    re.IGNORECASE,
)
_HE_CITIES = (
    'תל[ -]אביב(?:[ -]יפו)?|ת["״]א|ירושלים|י-ם|חיפה|באר[ -]שבע|ראשון[ -]לציון|פתח[ -]תקו?וה|אשדוד|נתניה'
    "|חולון|בני[ -]ברק|רמת[ -]גן|רחובות|הרצליה|כפר[ -]סבא|רעננה|מודיעין|בת[ -]ים|אשקלון|בית[ -]שמש|חדרה"
    "|נהריה|עכו|אילת|טבריה|נצרת|קריית[ -]\\S+|קרית[ -]\\S+|גבעתיים|רמת[ -]השרון|הוד[ -]השרון|ראש[ -]העין"
)
# Not "דרך" (also "via": "שילמתי דרך ביט 50") nor "כיכר": streets named so are missed without a city.
_HE_STREET_WORD = r"(?:רחוב|רח['׳]|שדרות|שד['׳]|שד\.|סמטת|סמ['׳])"
_HE_NUMBER_TAIL = (
    r"[0-9]{1,4}[א-ת]?(?![0-9])(?:\s*/\s*[0-9]{1,3})?"
    r"(?:\s*,?\s*(?:דירה|דיר['׳]|קומה|כניסה)\s*[0-9א-ת]{1,3}(?![0-9]))*"
    rf"(?:\s*,?\s*[בל]?(?:{_HE_CITIES}))?"
    r"(?:\s*,?\s*(?:מיקוד\s*)?[0-9]{7}(?![0-9]))?"
)
_HE_ADDRESS = re.compile(
    rf"(?<![{_HE}])[{_HE_PREFIX}]{{0,2}}{_HE_STREET_WORD}\s*(?:[{_HE}][{_HE}'׳\"״-]*\s+){{1,3}}?{_HE_NUMBER_TAIL}"
    # Without a street word, as the shop itself writes them: "הרצל 62, תל אביב".
    rf"|(?<![{_HE}])[{_HE}][{_HE}'׳\"״-]*(?:\s+[{_HE}][{_HE}'׳\"״-]*)?\s+[0-9]{{1,4}}(?![0-9])"
    rf"(?:\s*/\s*[0-9]{{1,3}})?\s*,\s*(?:{_HE_CITIES})(?:\s*,?\s*[0-9]{{7}}(?![0-9]))?"
)
# "my address is ...", "alamat: ...", "הכתובת שלי היא ...": the rest of the sentence, when it holds a
# number and no ordinary chat words ("alamat saya udah bener, pesanan 10007 ..." is left alone).
# The cue needs its separator ("is", ":", "adalah", "היא"), with at most two words before it
# ("alamat lengkap:", "הכתובת החדשה:"), so "alamat kirim ke kantor" is not taken for an address.
_ADDRESS_CUE = re.compile(
    r"(?:\b(?<!mail\s)(?<!mail-)address|\balamat|(?<![\u05d0-\u05ea])[בל]?(?:ה)?כתובת)"
    r"(?:\s+[^\W\d_]+){0,2}?\s*(?:\bis\b|:|\badalah\b|\bהיא\b)\s*(?P<rest>[^.!?\n]{4,100})(?=[.!?\n]|$)",
    re.IGNORECASE,
)
_ADDRESS_WORDS = _words("no rt rw blok kel kec kota apt unit suite st rd ave jl jln gg")


def find_addresses(text: str) -> list[Span]:
    """Spans of street addresses: a house number with a street word, in the three languages."""
    spans: list[Span] = []
    for match in _EN_ADDRESS.finditer(text):
        street = match.group("street")
        if street.lower() in _EN_WEAK_STREET and not street[0].isupper():
            continue
        if any(w.lower() in STOP for w in match.group("words").split()):
            continue
        spans.append(match.span())
    for match in _ID_ADDRESS.finditer(text):
        # "jalan" is also "to go/run" ("tracking nya gak jalan 3 hari"): only "Jalan X" or with "no".
        if match.group("cue") == "jalan" and not match.group("no"):
            continue
        if any(w.lower().strip(".") in STOP for w in match.group("words").split()):
            continue
        spans.append(match.span())
    spans.extend(m.span() for m in _PO_BOX.finditer(text))
    spans.extend(m.span() for m in _ID_ESTATE.finditer(text))
    spans.extend(_without_leading_stop_words(text, m.start(), m.end()) for m in _HE_ADDRESS.finditer(text))
    for match in _ADDRESS_CUE.finditer(text):
        rest = match.group("rest").rstrip(" ,;:")
        words = [w.lower().strip(",.:;") for w in rest.split()]
        if re.search(r"[0-9]", rest) and not any(w in STOP and w not in _ADDRESS_WORDS for w in words):
            spans.append((match.start("rest"), match.start("rest") + len(rest)))
    return spans


def _without_leading_stop_words(text: str, start: int, end: int) -> Span:
    """A Hebrew address taken with a verb before it ("גר בהרצל 79, ...") starts at the street."""
    while word := re.match(rf"([{_HE}]+)\s+", text[start:end]):
        value = word.group(1)
        bare = value[1:] if value[0] in _HE_PREFIX else value
        if value not in STOP and bare not in STOP:
            break
        start += word.end()
    return start, end


_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC"
    "|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_ID_CITIES = (
    "jakarta|surabaya|bandung|medan|semarang|makassar|palembang|tangerang|depok|bekasi|bogor|yogyakarta"
    "|jogja|malang|denpasar|batam|pekanbaru|solo|surakarta|balikpapan|sidoarjo|cirebon|padang|manado"
)
_POSTCODE = re.compile(
    r"(?i:\b(?:zip(?:\s*code)?|postal\s*code|post\s*code|postcode|kode\s*pos|kodepos)|מיקוד)\s*[:#-]?\s*"
    r"(?P<cue>[0-9]{5}(?:-[0-9]{4})?|[0-9]{7}|[0-9]{3}\s[0-9]{4})(?![0-9])"
    rf"|\b(?:{_US_STATES})\s+(?P<state>[0-9]{{5}}(?:-[0-9]{{4}})?)(?![0-9])"
    rf"|(?i:\b(?:{_ID_CITIES}))\s*,?\s*(?P<city>[0-9]{{5}})(?![0-9])",
)


def find_postcodes(text: str) -> list[Span]:
    """Spans of postal codes outside an address: after a cue, a US state or an Indonesian city."""
    spans: list[Span] = []
    for match in _POSTCODE.finditer(text):
        group = next(g for g in ("cue", "state", "city") if match.group(g) is not None)
        spans.append(match.span(group))
    return spans
