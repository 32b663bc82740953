"""What the service itself tells the customer (not the bot), in the conversation's language."""

from __future__ import annotations

SYSTEM_MESSAGES: dict[str, dict[str, str]] = {
    "queued": {
        "en": "You're in the queue. A member of our support team will join shortly.",
        "id": "Kakak sedang dalam antrean. Tim dukungan kami akan segera bergabung.",
        "he": "פנייתך בתור. נציג/ה מצוות התמיכה יצטרפו לשיחה בקרוב.",
    },
    "joined": {
        "en": "{agent} has joined the conversation.",
        "id": "{agent} telah bergabung dalam percakapan.",
        "he": "{agent} הצטרף/ה לשיחה.",
    },
    "transferred": {
        "en": "You're being passed to a colleague who can help further; they see everything so far.",
        "id": "Kakak sedang dialihkan ke rekan kami yang bisa membantu lebih lanjut; "
              "semua percakapan sebelumnya terlihat olehnya.",
        "he": "אנחנו מעבירים אותך לעמית/ה שיוכלו לעזור יותר; הם רואים את כל מה שנאמר עד כה.",
    },
    "reoffered": {
        "en": "Sorry for the wait. You keep your place in the queue and the next free colleague will join.",
        "id": "Maaf menunggu, Kak. Posisi antrean Kakak tetap dan rekan kami yang berikutnya akan bergabung.",
        "he": "מצטערים על ההמתנה. מקומך בתור נשמר, והנציג/ה הפנוי/ה הבא/ה יצטרפו.",
    },
    "ticket": {
        "en": "Our team is away right now and back {when}. Leave your question and your e-mail address here: "
              "we will answer in this chat and by e-mail.",
        "id": "Tim kami sedang tidak bertugas dan kembali {when}. Tinggalkan pertanyaan dan alamat e-mail Kakak di "
              "sini: kami akan menjawab di chat ini dan lewat e-mail.",
        "he": "הצוות שלנו לא זמין כרגע ויחזור {when}. אפשר להשאיר כאן את השאלה וכתובת מייל: נענה בשיחה הזאת ובמייל.",
    },
    "ticket_nobody": {
        "en": "Nobody from our team is online right now. Leave your question and your e-mail address "
              "here: we will answer in this chat and by e-mail.",
        "id": "Belum ada petugas kami yang online saat ini. Tinggalkan pertanyaan dan alamat "
              "e-mail Kakak di sini: kami akan menjawab di chat ini dan lewat e-mail.",
        "he": "אין כרגע נציגים מחוברים. אפשר להשאיר כאן את השאלה וכתובת מייל: נענה בשיחה הזאת "
              "ובמייל.",
    },
    "ticket_noted": {
        "en": "Thanks, we'll reply to {email}.",
        "id": "Terima kasih, kami akan membalas ke {email}.",
        "he": "תודה, נחזור אליך לכתובת {email}.",
    },
    "back_to_bot": {
        "en": "You're back with our assistant. Ask for a person any time.",
        "id": "Kakak kembali terhubung dengan asisten kami. Minta dihubungkan ke tim kami kapan saja.",
        "he": "חזרת לשיחה עם העוזר הדיגיטלי. אפשר לבקש נציג/ה בכל רגע.",
    },
    "closed": {
        "en": "This conversation has been closed. Thank you for contacting us.",
        "id": "Percakapan ini sudah ditutup. Terima kasih telah menghubungi kami.",
        "he": "השיחה נסגרה. תודה שפנית אלינו.",
    },
}


def system_message(key: str, language: str, **values: str) -> str:
    by_language = SYSTEM_MESSAGES[key]
    return by_language.get(language, by_language["en"]).format(**values)
