"""Redaction of customer messages before they become training data (handoff/review/redaction.py).

Each message is written as customers type (typos, slang, mixed scripts) and checked both ways:
no personal value survives, and the ordinary words, prices, quantities and product names do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.review.redaction import LANGUAGES, SYNTHETIC, Kind, redact

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "data" / "demo-store"
CUSTOMER_NAMES = tuple(c["name"] for c in json.loads((STORE / "customers.json").read_text()))

# (message, personal values that must be gone, words that must stay)
EN = [
    (
        "hi my name is sarah cohen, order 10007 still hasnt arrived?? its been 3 days",
        ["sarah", "cohen", "10007"],
        ["hi my name is", "order 19001", "still hasnt arrived??", "3 days"],
    ),
    (
        "Call me at (512) 555-0143 or text 512.555.0187 pls, its about the USB-C charger",
        ["555-0143", "555.0187", "512"],
        ["Call me at", "or text", "USB-C charger"],
    ),
    (
        "my email is j.smith84@gmail.com and my wife's is anna_smith@yahoo.co.uk",
        ["j.smith84", "gmail", "anna_smith", "yahoo"],
        ["my email is customer@example.com", "my wife's is customer2@example.com"],
    ),
    (
        "I was charged twice for INV-202600042!! card 4111 1111 1111 1111, $19.99 each time",
        ["202600042", "4111"],
        ["charged twice for INV-209900001!!", "$19.99 each time", "card [card]"],
    ),
    (
        "plz change the shipping address to 1450 Maple Avenue, Apt 3B, Boston, MA 02118",
        ["1450", "Maple", "3B", "02118"],
        ["plz change the shipping address to [address]"],
    ),
    (
        "cancel SUB-0007 please, customer id C0003. Thanks, Daniel",
        ["SUB-0007", "C0003", "Daniel"],
        ["cancel SUB-9001 please, customer id C9001. Thanks, [name]"],
    ),
    (
        "tracking TRK3056683179 says delivered but nothing here. return RET-00013 was for the wrong item",
        ["3056683179", "RET-00013"],
        ["says delivered but nothing here", "TRK9000000001", "RET-90001", "wrong item"],
    ),
    (
        "refund to IBAN GB82 WEST 1234 5698 7654 32 pls, the Smart Watch was broken",
        ["GB82", "WEST", "5698"],
        ["refund to IBAN [account] pls, the Smart Watch was broken"],
    ),
    (
        "pics: https://imgur.com/a/Xy7Qp2 and instagram.com/jake.miller84 - bought it on shop.example.com",
        ["Xy7Qp2", "jake.miller84", "imgur"],
        ["pics: [url] and [url]", "bought it on shop.example.com"],
    ),
    (
        "I'm Chloe, ordered 2 Phone Cases + 1 HDMI Cable 2m on nov 3, order #10113",
        ["Chloe", "10113"],
        ["I'm [name]", "ordered 2 Phone Cases + 1 HDMI Cable 2m on nov 3", "order #19001"],
    ),
    (
        "pls call +1 415 555 2671 after 5pm, my order 10150 is late",
        ["415", "2671", "10150"],
        ["pls call [phone] after 5pm, my order 19001 is late"],
    ),
    (
        "this is Ben Clark, can u resend invoice INV-202600101 to ben.clark@outlook.com",
        ["Ben", "Clark", "202600101", "outlook"],
        ["can u resend invoice INV-209900001 to customer@example.com"],
    ),
    (
        "Grace period for returns is 30 days right? ordered the Power Bank 20000mAh for $55",
        [],
        ["Grace period for returns is 30 days right? ordered the Power Bank 20000mAh for $55"],
    ),
    (
        "wrong size, want to return. PO Box 4411, Austin TX 78701\n- Frank",
        ["4411", "78701", "Frank"],
        ["wrong size, want to return.", "Austin"],
    ),
    (
        "DM me @jake_miller84 on ig or whatsapp +972 52-555-1234 lol",
        ["jake_miller84", "555-1234"],
        ["DM me [handle] on ig or whatsapp [phone] lol"],
    ),
    (
        "my acct number is 0012345678, the Laptop Stand costs 45 bucks",
        ["0012345678"],
        ["my acct number is [account], the Laptop Stand costs 45 bucks"],
    ),
    (
        "Order 10042 and 10042 again, also 10043. SKU-1002 x 2",
        ["10042", "10043"],
        ["Order 19001 and 19001 again, also 19002. SKU-1002 x 2"],
    ),
]

ID = [
    (
        "pesanan gw 10007 blm nyampe, wa ke 0812-3456-7890",
        ["10007", "0812", "3456-7890"],
        ["pesanan gw 19001 blm nyampe, wa ke [phone]"],
    ),
    (
        "Halo kak, saya Budi Santoso, mau tanya pesanan #10118 udah dikirim blm?",
        ["Budi", "Santoso", "10118"],
        ["Halo kak, saya [name], mau tanya pesanan #19001 udah dikirim blm?"],
    ),
    (
        "nama sy putri ayu, email putri.ayu99@yahoo.co.id, hp 0857 1234 5678",
        ["putri", "ayu99", "0857", "5678"],
        ["nama sy [name], email customer@example.com, hp [phone]"],
    ),
    (
        "tolong kirim ke Jl. Merdeka No. 54 RT 02/RW 05, Kec. Tegalsari, Surabaya 60111 ya min",
        ["Merdeka", "54", "RT 02", "Tegalsari", "60111"],
        ["tolong kirim ke [address]", "ya min"],
    ),
    (
        "udah transfer Rp 1.500.000 ke rek BCA 1234567890 a.n. Andi Nugroho tp status masih belum dibayar",
        ["1234567890", "Andi", "Nugroho"],
        ["udah transfer Rp 1.500.000 ke rek BCA [account] a.n. [name] tp status masih belum dibayar"],
    ),
    (
        "ongkirnya 15000 kok mahal bgt min, pesanan 10042 cuma 2 pcs",
        ["10042"],
        ["ongkirnya 15000 kok mahal bgt min, pesanan 19001 cuma 2 pcs"],
    ),
    (
        "min invoice INV-202600077 blm kebayar, tagihannya kirim ke dewi.lestari@gmail.com aja",
        ["202600077", "dewi.lestari"],
        ["min invoice INV-209900001 blm kebayar, tagihannya kirim ke customer@example.com aja"],
    ),
    (
        "nomor resi JP1234567890 kok gak bisa dilacak ya kak",
        ["JP1234567890"],
        ["nomor resi TRK9000000001 kok gak bisa dilacak ya kak"],
    ),
    (
        "kak mau batalin langganan SUB-0012 aja. makasih, Rizky",
        ["SUB-0012", "Rizky"],
        ["kak mau batalin langganan SUB-9001 aja. makasih, [name]"],
    ),
    (
        "alamat lengkap: Perum Griya Indah Blok C2 No. 15, Sidoarjo",
        ["Griya", "C2", "15"],
        ["alamat lengkap: [address]"],
    ),
    (
        "wa aja ke +62 812-3456-7890 atau 6281298765432 ya, jgn telp",
        ["3456-7890", "6281298765432"],
        ["wa aja ke [phone] atau [phone] ya, jgn telp"],
    ),
    (
        "barangnya rusak kak, fotonya di https://drive.google.com/file/d/1AbCdEf/view",
        ["1AbCdEf", "drive.google"],
        ["barangnya rusak kak, fotonya di [url]"],
    ),
    (
        "gw Ayu dari Bandung, order 10131 statusnya masih dikemas terus",
        ["Ayu", "10131"],
        ["gw [name] dari Bandung, order 19001 statusnya masih dikemas terus"],
    ),
    (
        "Jalan Sudirman 12 Jakarta itu alamat kantor sy",
        ["Sudirman", "12"],
        ["Jakarta itu alamat kantor sy"],
    ),
    (
        "tracking nya gak jalan udah 3 hari, sepatu ukuran 42 harga 250rb",
        [],
        ["tracking nya gak jalan udah 3 hari, sepatu ukuran 42 harga 250rb"],
    ),
    (
        "kartu kredit 5555-5555-5555-4444 kepotong 2x buat order 10055",
        ["5555", "4444", "10055"],
        ["kartu kredit [card] kepotong 2x buat order 19001"],
    ),
    (
        "IG saya @tokobudi.id, cek dm ya kak",
        ["tokobudi"],
        ["IG saya [handle], cek dm ya kak"],
    ),
]

HE = [
    (
        "שמי דנה לוי, הזמנה 10007 עוד לא הגיעה",
        ["דנה", "לוי", "10007"],
        ["שמי [name], הזמנה 19001 עוד לא הגיעה"],
    ),
    (
        "קוראים לי יוסי, הטלפון שלי 052-555-1234",
        ["יוסי", "052", "555-1234"],
        ["קוראים לי [name], הטלפון שלי [phone]"],
    ),
    (
        "תשלחו את החשבונית INV-202600042 למייל dana.levi@walla.co.il בבקשה",
        ["202600042", "dana.levi", "walla"],
        ["תשלחו את החשבונית INV-209900001 למייל customer@example.com בבקשה"],
    ),
    (
        "תשלחו לdana84@gmail.com את הקבלה",
        ["dana84", "gmail"],
        ["תשלחו לcustomer@example.com את הקבלה"],
    ),
    (
        "הכתובת החדשה: רחוב הרצל 62 דירה 4, תל אביב",
        ["הרצל", "62", "דירה 4"],
        ["הכתובת החדשה: [address]"],
    ),
    (
        "מה עם ההזמנה #10155? שילמתי 149.90 ₪ על מטען USB-C",
        ["10155"],
        ["מה עם ההזמנה #19001? שילמתי 149.90 ₪ על מטען USB-C"],
    ),
    (
        "חייבו אותי פעמיים בכרטיס 4012 8888 8888 1881 על אותה הזמנה",
        ["4012", "1881"],
        ["חייבו אותי פעמיים בכרטיס [card] על אותה הזמנה"],
    ),
    (
        "ביטול מנוי SUB-0003 בבקשה. תודה, עומר",
        ["SUB-0003", "עומר"],
        ["ביטול מנוי SUB-9001 בבקשה. תודה, [name]"],
    ),
    (
        "את ההחזר לחשבון IL62 0108 0000 0009 9999 999 בבקשה",
        ["IL62", "0108", "9999"],
        ["את ההחזר לחשבון [account] בבקשה"],
    ),
    (
        "אפשר נציג? תתקשרו ל+972-54-1234567 אחרי 5",
        ["1234567"],
        ["אפשר נציג? תתקשרו ל[phone] אחרי 5"],
    ),
    (
        "מספר מעקב TRK9482730572 לא זז כבר שלושה ימים",
        ["9482730572"],
        ["מספר מעקב TRK9000000001 לא זז כבר שלושה ימים"],
    ),
    (
        "השם שלי נועה פרץ ואני רוצה להחזיר את השעון",
        ["נועה", "פרץ"],
        ["השם שלי [name] ואני רוצה להחזיר את השעון"],
    ),
    (
        "ההזמנה של Daniel Brown, מספר לקוח C0003",
        ["Daniel", "Brown", "C0003"],
        ["ההזמנה של [name], מספר לקוח C9001"],
    ),
    (
        "היי תמר, תודה על העזרה!!",
        ["תמר"],
        ["היי [name], תודה על העזרה!!"],
    ),
    (
        "מיכל המים של המסנן נסדק, הזמנה 10020",
        ["10020"],
        ["מיכל המים של המסנן נסדק, הזמנה 19001"],
    ),
    (
        "גר בהרצל 79, תל אביב, מיקוד 6100000",
        ["הרצל", "79", "6100000"],
        ["גר [address], מיקוד [postcode]"],
    ),
    (
        "וואטסאפ 0541234567 או במייל, העיקר שהמעיל יגיע עד יום חמישי",
        ["0541234567"],
        ["וואטסאפ [phone] או במייל, העיקר שהמעיל יגיע עד יום חמישי"],
    ),
    (
        "ההזמנה שלי 10042 והזמנה 10043 של אחותי, 2 זוגות אוזניות",
        ["10042", "10043"],
        ["ההזמנה שלי 19001 והזמנה 19002 של אחותי, 2 זוגות אוזניות"],
    ),
]

CASES = [("en", *c) for c in EN] + [("id", *c) for c in ID] + [("he", *c) for c in HE]


def _ids(case: tuple[str, str, list[str], list[str]]) -> str:
    return f"{case[0]}-{case[1][:30]}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_personal_values_go_and_ordinary_words_stay(case: tuple[str, str, list[str], list[str]]) -> None:
    language, message, personal, kept = case
    result = redact(message, language, known_names=CUSTOMER_NAMES)
    for value in personal:
        assert value.casefold() not in result.text.casefold(), (value, result.text)
    for words in kept:
        assert words in result.text, (words, result.text)
    assert bool(result.found) == bool(personal)


# From bot/data/nlu: sign-offs, cue words inside other words, and names that are also words.
ORDINARY_MESSAGES = [
    ("en", "thank you kindly"),
    ("en", "thanks heaps, the Smart Watch works"),
    ("en", "I'm waiting 3 days already, it's Monday"),
    ("en", "call me asap pls"),
    ("en", "my name is wrong on the invoice"),
    ("id", "makasih infonya kak"),
    ("id", "ganti nama akun gmn ya"),
    ("id", "Terima kasih atas bantuannya."),
    ("id", "saya mau tanya ongkir ke Bandung berapa"),
    ("id", "resi nya gak update2 dari kemarin"),
    ("he", "תודה ענקית"),
    ("he", "תודה, אתם מהממים"),
    ("he", "אפשר שמישהו יחזור אליי טלפונית?"),
    ("he", "אפשר חשבונית על שם העסק"),
    ("he", "שילמתי דרך ביט 50 שקל"),
]


@pytest.mark.parametrize(("language", "message"), ORDINARY_MESSAGES)
def test_ordinary_messages_stay_as_they_are(language: str, message: str) -> None:
    result = redact(message, language, known_names=CUSTOMER_NAMES)
    assert (result.text, result.found) == (message, ())


def test_every_language_has_at_least_fifteen_messages() -> None:
    assert all(len(cases) >= 15 for cases in (EN, ID, HE))


def test_findings_point_into_the_original_and_never_carry_the_value() -> None:
    message = "my name is Sarah Cohen, order 10007, sarah.cohen84@gmail.com, call 0812-3456-7890"
    result = redact(message, "en")
    assert [(f.kind, message[f.start : f.end]) for f in result.found] == [
        (Kind.NAME, "Sarah Cohen"),
        (Kind.ORDER_ID, "10007"),
        (Kind.EMAIL, "sarah.cohen84@gmail.com"),
        (Kind.PHONE, "0812-3456-7890"),
    ]
    for secret in ("Sarah", "Cohen", "10007", "sarah.cohen84", "3456"):
        assert secret not in repr(result)


def test_known_names_need_no_cue_but_everyday_words_stay() -> None:
    names = ["Grace Hall", "Frank Taylor", "Budi Santoso", "תמר כהן", "נועה פרץ"]
    result = redact("Budi here. Frank Taylor ordered it. the grace period, to be frank", "en", known_names=names)
    assert result.text == "[name] here. [name] ordered it. the grace period, to be frank"
    # A Hebrew name keeps its prefix letter outside ("ונועה" = "and Noa"); "תמר" is also the fruit.
    assert redact("ונועה אמרה שזה יגיע, הזמנתי תמר מיובש", "he", known_names=names).text == (
        "ו[name] אמרה שזה יגיע, הזמנתי תמר מיובש"
    )


def test_a_tag_never_turns_into_a_rasa_entity_annotation() -> None:
    # "[name](mom)" would read as the entity "mom" in Rasa's training format.
    assert redact("my name is Budi(mom's account)", "en").text == "my name is [name] (mom's account)"


def test_synthetic_ids_keep_the_assistants_entity_shapes_and_are_no_real_ids() -> None:
    real = set()
    for file, key in [
        ("orders.json", "order_id"),
        ("orders.json", "return_id"),
        ("orders.json", "tracking_number"),
        ("invoices.json", "invoice_id"),
        ("subscriptions.json", "subscription_id"),
        ("customers.json", "customer_id"),
        ("customers.json", "email"),
    ]:
        real |= {row[key] for row in json.loads((STORE / file).read_text()) if key in row}
    regexes = {r["regex"]: r["examples"] for r in yaml.safe_load((ROOT / "bot/data/regex.yml").read_text())["nlu"]}
    for kind, make in SYNTHETIC.items():
        for n in (1, 2, 57, 999, 5000):
            value = make(n)
            assert value not in real
            if kind.value in regexes:
                pattern = regexes[kind.value].strip().removeprefix("- ")
                assert re.fullmatch(pattern, value), (kind, value)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        redact("hi", "fr")


# --- Properties ----------------------------------------------------------------------------------

PERSONAL = [
    "customer0007@example.com",
    "budi.s@gmail.com",
    "0812-3456-7890",
    "+972 52 555 1234",
    "(512) 555-0143",
    "4111 1111 1111 1111",
    "GB82 WEST 1234 5698 7654 32",
    "INV-202600042",
    "SUB-0007",
    "C0003",
    "RET-00013",
    "TRK3056683179",
    "https://wa.me/6281234567890",
]
ORDINARY = ["order", "pesanan", "הזמנה", "$19.99", "Rp 150.000", "3 days", "USB-C charger", "ok", "טלפון", "kak", "!!"]
SEPARATORS = [" ", ", ", "\n", " - ", ". "]


@st.composite
def messages(draw: st.DrawFn) -> tuple[str, list[str]]:
    parts = draw(st.lists(st.sampled_from(PERSONAL + ORDINARY), min_size=1, max_size=8))
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + part
    return text, [p for p in parts if p in PERSONAL]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(LANGUAGES))
def test_any_unicode_is_redacted_without_error_and_idempotently(text: str, language: str) -> None:
    once = redact(text, language, known_names=CUSTOMER_NAMES)
    assert redact(text, language, known_names=CUSTOMER_NAMES) == once
    assert redact(once.text, language, known_names=CUSTOMER_NAMES).text == once.text
    previous_end = 0
    for finding in once.found:
        assert previous_end <= finding.start < finding.end <= len(text)
        previous_end = finding.end


@settings(max_examples=300, deadline=None)
@given(messages(), st.sampled_from(LANGUAGES))
def test_mixed_messages_lose_every_personal_value(message: tuple[str, list[str]], language: str) -> None:
    text, personal = message
    once = redact(text, language)
    for value in personal:
        assert value not in once.text, (value, once.text)
    assert redact(once.text, language).text == once.text
    assert redact(text, language) == once
