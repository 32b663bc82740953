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
    # What an agent's tool did (handoff/tools), once it is applied.
    "tool_refund": {
        "en": "A refund of {amount} for order {order_id} was issued. It goes back to the original payment method.",
        "id": "Pengembalian dana sebesar {amount} untuk pesanan {order_id} telah diproses, "
              "ke metode pembayaran semula.",
        "he": "בוצע החזר כספי של {amount} עבור הזמנה {order_id}, לאמצעי התשלום המקורי.",
    },
    "tool_credit": {
        "en": "A credit of {amount} was added to your account.",
        "id": "Kredit sebesar {amount} telah ditambahkan ke akun Kakak.",
        "he": "זיכוי של {amount} נוסף לחשבון שלך.",
    },
    "tool_cancel_order": {
        "en": "Order {order_id} was cancelled.",
        "id": "Pesanan {order_id} telah dibatalkan.",
        "he": "הזמנה {order_id} בוטלה.",
    },
    "tool_change_address": {
        "en": "The delivery address of order {order_id} was changed to: {address}",
        "id": "Alamat pengiriman pesanan {order_id} telah diubah menjadi: {address}",
        "he": "כתובת המשלוח של הזמנה {order_id} שונתה ל: {address}",
    },
    "tool_resend_invoice": {
        "en": "Invoice {invoice_id} was sent to your e-mail address again.",
        "id": "Tagihan {invoice_id} telah dikirim ulang ke alamat e-mail Kakak.",
        "he": "חשבונית {invoice_id} נשלחה שוב לכתובת המייל שלך.",
    },
    "tool_pause_subscription": {
        "en": "Subscription {subscription_id} is paused until {paused_until}.",
        "id": "Langganan {subscription_id} dijeda sampai {paused_until}.",
        "he": "המנוי {subscription_id} מושהה עד {paused_until}.",
    },
    "tool_cancel_subscription": {
        "en": "Subscription {subscription_id} was cancelled; it runs until {ends_on}.",
        "id": "Langganan {subscription_id} telah dibatalkan; tetap berjalan sampai {ends_on}.",
        "he": "המנוי {subscription_id} בוטל; הוא בתוקף עד {ends_on}.",
    },
}


def system_message(key: str, language: str, **values: str) -> str:
    by_language = SYSTEM_MESSAGES[key]
    return by_language.get(language, by_language["en"]).format(**values)
