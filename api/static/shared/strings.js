// @ts-check
/* The customer-facing UI strings (widget and demo page), per language. Which languages exist is the
   server's list (GET /api/meta); a language without strings here falls back to English. */

/** @typedef {Record<string, string>} StringTable */
/** @typedef {(key: string, vars?: Record<string, string | number>) => string} Translate */

/** @type {Record<string, StringTable>} */
export const WIDGET_STRINGS = {
  en: {
    demoTitle: 'Demo shop',
    demoIntro: 'This page embeds the support chat with one script tag, the way any shop would.',
    chatAs: 'Chat as',
    language: 'Language',
    guest: 'Guest',
    signedIn: 'Signed-in customer {id}',
    title: 'Support',
    openChat: 'Open the support chat',
    closeChat: 'Close the support chat',
    placeholder: 'Type a message…',
    send: 'Send',
    newConversation: 'New conversation',
    startNew: 'Start a new conversation',
    retry: 'Try again',
    assistant: 'Assistant',
    agent: 'Agent',
    statusBot: 'Assistant',
    statusTicket: 'Our team is away: leave your message, we will answer here',
    statusQueued: 'Waiting for an agent…',
    statusQueuePlace: 'You are number {position} in the queue (about {minutes} min)',
    statusAssigned: 'Chatting with {agent}',
    statusAssignedUnknown: 'Chatting with an agent',
    statusClosed: 'Conversation closed',
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
    sending: 'Sending…',
    delivered: 'Delivered',
    seen: 'Seen',
    agentTyping: '{agent} is typing…',
    botTyping: 'The assistant is typing…',
    failed: 'Not sent',
    emptyHint: 'Hi! Ask us about an order, a delivery, a refund or anything else.',
    closedBanner: 'This conversation has ended.',
    appliesNext: 'This change applies to your next conversation.',
    startFailed: 'We could not start a conversation.',
    error_unauthorized: 'This conversation could not be opened (the session is not valid).',
    error_forbidden: 'This conversation belongs to someone else.',
    error_not_found: 'This conversation no longer exists.',
    error_conversation_closed: 'This conversation is closed. Start a new one to keep chatting.',
    error_message_too_long: 'That message is too long (2,000 characters at most).',
    error_generic: 'Something went wrong: {detail}',
  },
  id: {
    demoTitle: 'Toko demo',
    demoIntro: 'Halaman ini memasang obrolan bantuan dengan satu tag skrip, seperti toko mana pun.',
    chatAs: 'Mengobrol sebagai',
    language: 'Bahasa',
    guest: 'Tamu',
    signedIn: 'Pelanggan masuk {id}',
    title: 'Bantuan',
    openChat: 'Buka obrolan bantuan',
    closeChat: 'Tutup obrolan bantuan',
    placeholder: 'Ketik pesan…',
    send: 'Kirim',
    newConversation: 'Percakapan baru',
    startNew: 'Mulai percakapan baru',
    retry: 'Coba lagi',
    assistant: 'Asisten',
    agent: 'Agen',
    statusBot: 'Asisten',
    statusTicket: 'Tim kami sedang tidak bertugas: tinggalkan pesan, kami jawab di sini',
    statusQueued: 'Menunggu agen…',
    statusQueuePlace: 'Antrean Kakak nomor {position} (sekitar {minutes} menit)',
    statusAssigned: 'Mengobrol dengan {agent}',
    statusAssignedUnknown: 'Mengobrol dengan agen',
    statusClosed: 'Percakapan ditutup',
    connecting: 'Menghubungkan…',
    reconnecting: 'Menghubungkan ulang…',
    sending: 'Mengirim…',
    delivered: 'Terkirim',
    seen: 'Dibaca',
    agentTyping: '{agent} sedang mengetik…',
    botTyping: 'Asisten sedang mengetik…',
    failed: 'Tidak terkirim',
    emptyHint: 'Halo! Tanyakan tentang pesanan, pengiriman, pengembalian dana, atau hal lainnya.',
    closedBanner: 'Percakapan ini telah berakhir.',
    appliesNext: 'Perubahan ini berlaku untuk percakapan Anda berikutnya.',
    startFailed: 'Kami tidak dapat memulai percakapan.',
    error_unauthorized: 'Percakapan ini tidak dapat dibuka (sesi tidak valid).',
    error_forbidden: 'Percakapan ini milik orang lain.',
    error_not_found: 'Percakapan ini sudah tidak ada.',
    error_conversation_closed: 'Percakapan ini sudah ditutup. Mulai percakapan baru untuk melanjutkan.',
    error_message_too_long: 'Pesan terlalu panjang (maksimal 2.000 karakter).',
    error_generic: 'Terjadi kesalahan: {detail}',
  },
  he: {
    demoTitle: 'חנות הדגמה',
    demoIntro: 'הדף הזה מטמיע את צ׳אט התמיכה בתגית סקריפט אחת, כמו שכל חנות הייתה עושה.',
    chatAs: 'צ׳אט בתור',
    language: 'שפה',
    guest: 'אורח',
    signedIn: 'לקוח מחובר {id}',
    title: 'תמיכה',
    openChat: 'פתיחת צ׳אט התמיכה',
    closeChat: 'סגירת צ׳אט התמיכה',
    placeholder: 'כתבו הודעה…',
    send: 'שליחה',
    newConversation: 'שיחה חדשה',
    startNew: 'התחלת שיחה חדשה',
    retry: 'ניסיון נוסף',
    assistant: 'העוזר הדיגיטלי',
    agent: 'נציג',
    statusBot: 'העוזר הדיגיטלי',
    statusTicket: 'הצוות לא זמין כרגע: השאירו הודעה ונענה כאן',
    statusQueued: 'ממתינים לנציג…',
    statusQueuePlace: 'מקומך בתור: {position} (כ-{minutes} דק׳)',
    statusAssigned: 'בשיחה עם {agent}',
    statusAssignedUnknown: 'בשיחה עם נציג',
    statusClosed: 'השיחה נסגרה',
    connecting: 'מתחבר…',
    reconnecting: 'מתחבר מחדש…',
    sending: 'נשלחת…',
    delivered: 'נמסרה',
    seen: 'נקראה',
    agentTyping: '{agent} מקליד/ה…',
    botTyping: 'העוזר הדיגיטלי מקליד…',
    failed: 'לא נשלחה',
    emptyHint: 'שלום! אפשר לשאול אותנו על הזמנה, משלוח, החזר כספי או כל דבר אחר.',
    closedBanner: 'השיחה הסתיימה.',
    appliesNext: 'השינוי יחול על השיחה הבאה שלך.',
    startFailed: 'לא הצלחנו להתחיל שיחה.',
    error_unauthorized: 'לא ניתן לפתוח את השיחה (ההתחברות אינה תקפה).',
    error_forbidden: 'השיחה הזו שייכת למישהו אחר.',
    error_not_found: 'השיחה הזו כבר לא קיימת.',
    error_conversation_closed: 'השיחה סגורה. אפשר להתחיל שיחה חדשה.',
    error_message_too_long: 'ההודעה ארוכה מדי (עד 2,000 תווים).',
    error_generic: 'משהו השתבש: {detail}',
  },
};

/**
 * A `t(key, vars)` over `table` in the language `getLocale()` returns at each call; "{name}" in a
 * string is replaced by vars.name. Missing strings fall back to English, then to the key itself.
 * @param {Record<string, StringTable>} table
 * @param {() => string} getLocale
 * @returns {Translate}
 */
export function translator(table, getLocale) {
  return (key, vars = {}) => {
    const template = table[getLocale()]?.[key] ?? table.en?.[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  };
}

/**
 * @param {Record<string, StringTable>} table
 * @param {string} key
 * @returns {boolean} whether `key` has an (English) string
 */
export function hasString(table, key) {
  return Boolean(table.en && key in table.en);
}
