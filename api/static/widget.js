// Customer chat widget (demo page). Protocol: docs/protocol.md, "Customer socket".
'use strict';

(() => {
  const STORE_KEY = 'shopbot.widget.conversation'; // {conversation_id, token, last_seq, agent_id, outbox, ...}
  const PREFS_KEY = 'shopbot.widget.prefs'; // {locale, customer_id}
  const LOCALES = ['en', 'id', 'he'];
  const RTL_LOCALES = new Set(['he']);
  const FATAL_CLOSE_CODES = { 4401: 'unauthorized', 4403: 'forbidden', 4404: 'not_found' };
  const FATAL_ERROR_CODES = new Set(Object.values(FATAL_CLOSE_CODES));

  const STRINGS = {
    en: {
      demoTitle: 'Demo shop',
      chatAs: 'Chat as',
      language: 'Language',
      guest: 'Guest',
      signedIn: 'Signed-in customer {id}',
      title: 'Support',
      placeholder: 'Type a message…',
      send: 'Send',
      newConversation: 'New conversation',
      startNew: 'Start a new conversation',
      retry: 'Try again',
      assistant: 'Assistant',
      agent: 'Agent',
      statusBot: 'Assistant',
      statusQueued: 'Waiting for an agent…',
      statusAssigned: 'Chatting with {agent}',
      statusAssignedUnknown: 'Chatting with an agent',
      statusClosed: 'Conversation closed',
      connecting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      sending: 'Sending…',
      delivered: 'Delivered',
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
      chatAs: 'Mengobrol sebagai',
      language: 'Bahasa',
      guest: 'Tamu',
      signedIn: 'Pelanggan masuk {id}',
      title: 'Bantuan',
      placeholder: 'Ketik pesan…',
      send: 'Kirim',
      newConversation: 'Percakapan baru',
      startNew: 'Mulai percakapan baru',
      retry: 'Coba lagi',
      assistant: 'Asisten',
      agent: 'Agen',
      statusBot: 'Asisten',
      statusQueued: 'Menunggu agen…',
      statusAssigned: 'Mengobrol dengan {agent}',
      statusAssignedUnknown: 'Mengobrol dengan agen',
      statusClosed: 'Percakapan ditutup',
      connecting: 'Menghubungkan…',
      reconnecting: 'Menghubungkan ulang…',
      sending: 'Mengirim…',
      delivered: 'Terkirim',
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
      chatAs: 'צ׳אט בתור',
      language: 'שפה',
      guest: 'אורח',
      signedIn: 'לקוח מחובר {id}',
      title: 'תמיכה',
      placeholder: 'כתבו הודעה…',
      send: 'שליחה',
      newConversation: 'שיחה חדשה',
      startNew: 'התחלת שיחה חדשה',
      retry: 'ניסיון נוסף',
      assistant: 'העוזר הדיגיטלי',
      agent: 'נציג',
      statusBot: 'העוזר הדיגיטלי',
      statusQueued: 'ממתינים לנציג…',
      statusAssigned: 'בשיחה עם {agent}',
      statusAssignedUnknown: 'בשיחה עם נציג',
      statusClosed: 'השיחה נסגרה',
      connecting: 'מתחבר…',
      reconnecting: 'מתחבר מחדש…',
      sending: 'נשלחת…',
      delivered: 'נמסרה',
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

  const $ = (id) => document.getElementById(id);
  const ui = {
    list: $('message-list'),
    input: $('chat-input'),
    send: $('send-button'),
    composer: $('composer'),
    status: $('status-line'),
    connection: $('connection-status'),
    banner: $('banner'),
    bannerText: $('banner-text'),
    bannerButton: $('banner-button'),
    newConversation: $('new-conversation'),
    localeSelect: $('locale-select'),
    customerSelect: $('customer-select'),
  };

  const state = {
    locale: 'en',
    customerId: '',
    conv: null, // the stored conversation (see STORE_KEY)
    convState: null, // bot | queued | assigned | closed
    fatal: null, // unauthorized | forbidden | not_found: the socket will not be retried
    banner: null, // {kind: 'closed' | 'fatal' | 'startFailed', code}
    connection: 'idle', // idle | connecting | reconnecting | online
    generation: 0, // bumped per conversation so late async results of an old one are dropped
    bySeq: new Map(), // seq -> message element
    byClientId: new Map(), // client_msg_id -> the customer's own message element
    buttonTitles: new Map(), // button payload -> title, to show the title instead of "/affirm"
  };

  // ---- i18n -----------------------------------------------------------------------------------

  function t(key, vars = {}) {
    const template = STRINGS[state.locale]?.[key] ?? STRINGS.en[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  }

  function applyLocale(locale) {
    state.locale = LOCALES.includes(locale) ? locale : 'en';
    const root = document.documentElement;
    root.lang = state.locale;
    root.dir = RTL_LOCALES.has(state.locale) ? 'rtl' : 'ltr';
    ui.localeSelect.value = state.locale;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    }
    for (const option of ui.customerSelect.options) {
      option.textContent = option.value ? t('signedIn', { id: option.value }) : t('guest');
    }
    for (const li of ui.list.querySelectorAll('[data-testid="message"]')) relabelMessage(li);
    renderStatus();
    renderConnection();
    renderBanner();
  }

  // ---- storage (localStorage can throw: private mode, quota) -----------------------------------

  function readJson(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || 'null');
    } catch {
      return null;
    }
  }

  function writeJson(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* not persisted; the chat still works for this page view */
    }
  }

  const saveConversation = () => writeJson(STORE_KEY, state.conv);
  const savePrefs = () => writeJson(PREFS_KEY, { locale: state.locale, customer_id: state.customerId });

  // ---- small helpers --------------------------------------------------------------------------

  function displayName(agentId) {
    if (!agentId) return t('agent');
    return agentId.charAt(0).toUpperCase() + agentId.slice(1);
  }

  function formatTime(iso) {
    const date = iso ? new Date(iso) : new Date();
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(state.locale, { hour: '2-digit', minute: '2-digit' }).format(date);
  }

  async function requestJson(url, options = {}) {
    const response = await fetch(url, options);
    if (!response.ok) throw new Error(`${options.method || 'GET'} ${url}: HTTP ${response.status}`);
    return response.json();
  }

  // ---- rendering: status line, connection, banner, composer ------------------------------------

  function statusText() {
    switch (state.convState) {
      case 'bot': return t('statusBot');
      case 'queued': return t('statusQueued');
      case 'assigned':
        return state.conv?.agent_id
          ? t('statusAssigned', { agent: displayName(state.conv.agent_id) })
          : t('statusAssignedUnknown');
      case 'closed': return t('statusClosed');
      default: return '';
    }
  }

  function renderStatus() {
    ui.status.textContent = statusText();
    ui.status.dataset.state = state.convState || '';
  }

  function setConnection(phase) {
    state.connection = phase;
    renderConnection();
  }

  function renderConnection() {
    const labels = { connecting: t('connecting'), reconnecting: t('reconnecting') };
    ui.connection.textContent = labels[state.connection] || '';
  }

  function renderBanner() {
    const banner = state.banner;
    ui.banner.hidden = !banner;
    if (!banner) return;
    ui.banner.classList.toggle('error', banner.kind !== 'closed');
    if (banner.kind === 'closed') {
      ui.bannerText.textContent = t('closedBanner');
      ui.bannerButton.textContent = t('startNew');
    } else if (banner.kind === 'fatal') {
      ui.bannerText.textContent = t(`error_${banner.code}`);
      ui.bannerButton.textContent = t('newConversation');
    } else {
      ui.bannerText.textContent = t('startFailed');
      ui.bannerButton.textContent = t('retry');
    }
  }

  function canSend() {
    return Boolean(state.conv) && state.convState !== 'closed' && !state.fatal;
  }

  function updateComposer() {
    const disabled = !canSend();
    ui.input.disabled = disabled;
    ui.send.disabled = disabled;
    if (disabled) retireButtons();
  }

  function autoGrow() {
    ui.input.style.height = 'auto';
    ui.input.style.height = `${Math.min(ui.input.scrollHeight + 2, 140)}px`;
  }

  // ---- rendering: messages --------------------------------------------------------------------

  function isNearBottom() {
    const list = ui.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  }

  function scrollToBottom() {
    ui.list.scrollTop = ui.list.scrollHeight;
  }

  function renderEmptyHint() {
    const hint = ui.list.querySelector('.empty-hint');
    const hasContent = ui.list.querySelector('[data-testid="message"], .inline-error');
    if (hasContent && hint) hint.remove();
    if (!hasContent && !hint) {
      const li = document.createElement('li');
      li.className = 'empty-hint';
      li.dataset.i18n = 'emptyHint';
      li.textContent = t('emptyHint');
      ui.list.append(li);
    }
  }

  function messageElement({ sender, authorId, text, createdAt }) {
    const li = document.createElement('li');
    li.className = sender === 'customer' ? 'msg mine' : 'msg';
    li.setAttribute('data-testid', 'message');
    li.dataset.sender = sender;
    // The row follows the page's direction (it holds the author and time); only the bubble's
    // direction comes from its own text.

    if (sender === 'bot' || sender === 'agent') {
      const author = document.createElement('div');
      author.className = 'msg-author';
      if (authorId) author.dataset.authorId = authorId;
      li.append(author);
    }
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.dir = 'auto';
    bubble.textContent = text; // never innerHTML: message text is plain text
    li.append(bubble);

    const meta = document.createElement('div');
    meta.className = 'msg-meta';
    const time = document.createElement('time');
    if (createdAt) time.dateTime = createdAt;
    time.textContent = formatTime(createdAt);
    meta.append(time);
    if (sender === 'customer') {
      const status = document.createElement('span');
      status.className = 'msg-status';
      meta.append(status);
    }
    li.append(meta);
    relabelMessage(li);
    return li;
  }

  // Texts that depend on the UI language (author of bot messages, delivery status).
  function relabelMessage(li) {
    const author = li.querySelector('.msg-author');
    if (author) {
      author.textContent = li.dataset.sender === 'bot' ? t('assistant') : displayName(author.dataset.authorId);
    }
    const status = li.querySelector('.msg-status');
    if (status) {
      const labels = { pending: t('sending'), delivered: '✓', failed: t('failed') };
      status.textContent = labels[li.dataset.status] || '';
      status.title = li.dataset.status === 'delivered' ? t('delivered') : '';
    }
  }

  function setMessageStatus(li, status) {
    li.dataset.status = status;
    li.classList.toggle('pending', status === 'pending');
    li.classList.toggle('failed', status === 'failed');
    relabelMessage(li);
  }

  /** Keeps stored messages in seq order, with the customer's not-yet-stored ones after them. */
  function placeMessage(li) {
    const seq = li.dataset.seq ? Number(li.dataset.seq) : Infinity;
    let before = null;
    if (seq !== Infinity) {
      for (const other of ui.list.querySelectorAll('[data-testid="message"]')) {
        if (other === li) continue;
        if (!other.dataset.seq || Number(other.dataset.seq) > seq) {
          before = other;
          break;
        }
      }
    }
    const stick = isNearBottom();
    if (before) ui.list.insertBefore(li, before);
    else if (li.parentNode !== ui.list || li !== ui.list.lastElementChild) ui.list.append(li);
    renderEmptyHint();
    if (stick || li.classList.contains('mine')) scrollToBottom();
  }

  function addButtons(li, buttons) {
    const group = document.createElement('div');
    group.className = 'msg-buttons';
    for (const button of buttons) {
      const payload = String(button.payload ?? button.title ?? '');
      const title = String(button.title ?? payload);
      if (!payload) continue;
      state.buttonTitles.set(payload, title);
      const el = document.createElement('button');
      el.type = 'button';
      el.className = 'btn btn-small';
      el.dir = 'auto';
      el.setAttribute('data-testid', 'bot-button');
      el.textContent = title;
      el.disabled = !canSend();
      el.addEventListener('click', () => sendText(payload, title));
      group.append(el);
    }
    li.querySelector('.bubble').after(group);
  }

  // Quick replies only make sense until the customer says something else.
  function retireButtons() {
    for (const el of ui.list.querySelectorAll('.msg-buttons button')) el.disabled = true;
  }

  /** An error frame or a note, shown in the message list but not as a message. */
  function showInlineNotice(text, kind = 'error') {
    const li = document.createElement('li');
    li.className = kind === 'error' ? 'inline-error' : 'inline-error inline-note';
    li.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    if (kind === 'error') li.setAttribute('data-testid', 'inline-error');
    li.dir = 'auto';
    li.textContent = text;
    const stick = isNearBottom();
    ui.list.append(li);
    renderEmptyHint();
    if (stick) scrollToBottom();
  }

  function errorText(code, detail) {
    const key = `error_${code}`;
    if (STRINGS.en[key]) return t(key);
    return t('error_generic', { detail: detail || code || '' });
  }

  // ---- message flow ---------------------------------------------------------------------------

  function dropFromOutbox(clientMsgId) {
    if (!state.conv) return;
    const before = state.conv.outbox.length;
    state.conv.outbox = state.conv.outbox.filter((item) => item.client_msg_id !== clientMsgId);
    if (state.conv.outbox.length !== before) saveConversation();
  }

  function showPending(item) {
    const li = messageElement({ sender: 'customer', text: item.label || item.text, createdAt: null });
    li.dataset.clientMsgId = item.client_msg_id;
    setMessageStatus(li, 'pending');
    state.byClientId.set(item.client_msg_id, li);
    placeMessage(li);
  }

  function markDelivered(li, seq) {
    li.dataset.seq = String(seq);
    state.bySeq.set(seq, li);
    setMessageStatus(li, 'delivered');
    dropFromOutbox(li.dataset.clientMsgId);
    placeMessage(li);
  }

  function markFailed(clientMsgId) {
    const li = state.byClientId.get(clientMsgId);
    if (li && !li.dataset.seq) setMessageStatus(li, 'failed');
    dropFromOutbox(clientMsgId);
  }

  function sendMessageFrame(item) {
    return sendFrame({ type: 'message', client_msg_id: item.client_msg_id, text: item.text });
  }

  /** Shows the message at once and sends it now, or after (re)connecting. */
  function sendText(text, label = text) {
    const trimmed = String(text).trim();
    if (!trimmed || !canSend()) return false;
    const item = { client_msg_id: Live.newClientMsgId(), text: trimmed, label: String(label).trim() || trimmed };
    state.conv.outbox.push(item);
    saveConversation();
    retireButtons();
    showPending(item);
    if (live.connected) sendMessageFrame(item);
    return true;
  }

  // Unacknowledged messages are re-sent with the same client_msg_id: the server stores each once.
  function flushOutbox() {
    for (const item of state.conv?.outbox || []) sendMessageFrame(item);
  }

  function onServerMessage(message) {
    const seq = Number(message.seq);
    if (seq > state.conv.last_seq) {
      state.conv.last_seq = seq;
      saveConversation();
    }
    if (state.bySeq.has(seq)) return;

    const own = message.sender === 'customer' && message.client_msg_id
      ? state.byClientId.get(message.client_msg_id) : null;
    if (own) {
      markDelivered(own, seq);
      return;
    }

    const text = message.sender === 'customer' ? (state.buttonTitles.get(message.text) ?? message.text)
      : message.text;
    const li = messageElement({
      sender: message.sender, authorId: message.author_id, text, createdAt: message.created_at,
    });
    li.dataset.seq = String(seq);
    state.bySeq.set(seq, li);
    if (message.sender === 'customer') {
      setMessageStatus(li, 'delivered');
      if (message.client_msg_id) state.byClientId.set(message.client_msg_id, li);
      retireButtons();
    }
    if (Array.isArray(message.buttons) && message.buttons.length) addButtons(li, message.buttons);
    placeMessage(li);

    // hello carries no agent id, so after a reload the latest agent message names who we talk to.
    if (message.sender === 'agent' && message.author_id && state.convState === 'assigned'
        && state.conv.agent_id !== message.author_id) {
      state.conv.agent_id = message.author_id;
      saveConversation();
      renderStatus();
    }
  }

  function onAck(frame) {
    const li = state.byClientId.get(frame.client_msg_id);
    // The ack's seq does not advance last_seq: earlier messages may still be on their way.
    if (li && !li.dataset.seq) markDelivered(li, Number(frame.seq));
    else dropFromOutbox(frame.client_msg_id);
  }

  function setConvState(convState, agentId) {
    state.convState = convState;
    if (state.conv) {
      if (convState === 'assigned' && agentId) state.conv.agent_id = agentId;
      if (convState === 'bot' || convState === 'queued') state.conv.agent_id = null;
      saveConversation();
    }
    if (convState === 'closed') state.banner = { kind: 'closed' };
    renderStatus();
    renderBanner();
    updateComposer();
  }

  function showFatal(code) {
    state.fatal = code;
    live.stop();
    setConnection('idle');
    for (const item of state.conv?.outbox || []) markFailed(item.client_msg_id);
    state.banner = { kind: 'fatal', code };
    renderBanner();
    updateComposer();
  }

  function onErrorFrame(frame) {
    if (FATAL_ERROR_CODES.has(frame.code)) {
      showFatal(frame.code);
      return;
    }
    if (frame.client_msg_id) markFailed(frame.client_msg_id);
    if (frame.code === 'conversation_closed') setConvState('closed');
    showInlineNotice(errorText(frame.code, frame.detail));
  }

  // ---- socket ---------------------------------------------------------------------------------

  function socketUrl() {
    const { conversation_id: id, token, last_seq: lastSeq } = state.conv;
    return Live.wsUrl(`/ws/customer/${encodeURIComponent(id)}`
      + `?token=${encodeURIComponent(token)}&last_seq=${encodeURIComponent(lastSeq || 0)}`);
  }

  const live = new Live.LiveSocket({
    url: socketUrl,
    onFrame: (frame) => onFrame(frame),
    onPhase: (phase) => setConnection(phase),
    canConnect: () => Boolean(state.conv) && !state.fatal,
    onClosed: (code) => {
      const fatal = FATAL_CLOSE_CODES[code] || state.fatal;
      if (fatal) showFatal(fatal);
      return Boolean(fatal);
    },
  });
  const sendFrame = (frame) => live.send(frame);
  const connect = () => live.connect();

  function onFrame(frame) {
    switch (frame.type) {
      case 'hello':
        live.online();
        setConnection('online');
        setConvState(frame.state);
        flushOutbox();
        break;
      case 'message':
        if (frame.message) onServerMessage(frame.message);
        break;
      case 'ack':
        onAck(frame);
        break;
      case 'state':
        setConvState(frame.state, frame.assigned_agent_id);
        break;
      case 'error':
        onErrorFrame(frame);
        break;
      default:
        break; // unknown frames are ignored so the server can add new ones
    }
  }

  // ---- conversation lifecycle -----------------------------------------------------------------

  function resetConversation() {
    live.stop();
    state.conv = null;
    state.convState = null;
    state.fatal = null;
    state.banner = null;
    state.bySeq.clear();
    state.byClientId.clear();
    state.buttonTitles.clear();
    ui.list.replaceChildren();
    writeJson(STORE_KEY, null);
    renderEmptyHint();
    renderStatus();
    renderBanner();
    updateComposer();
  }

  async function startConversation() {
    const generation = ++state.generation;
    resetConversation();
    setConnection('connecting');
    try {
      let customerToken = null;
      if (state.customerId) {
        const demo = await requestJson(`/demo/customer-token/${encodeURIComponent(state.customerId)}`);
        customerToken = demo.customer_token;
      }
      const created = await requestJson('/api/widget/conversations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ locale: state.locale, customer_token: customerToken }),
      });
      if (generation !== state.generation) return;
      state.conv = {
        conversation_id: created.conversation_id,
        token: created.token,
        last_seq: 0,
        agent_id: null,
        locale: state.locale,
        customer_id: state.customerId,
        outbox: [],
      };
      saveConversation();
      setConvState(created.state);
      connect();
    } catch (err) {
      if (generation !== state.generation) return;
      console.warn('could not start a conversation', err);
      setConnection('idle');
      state.banner = { kind: 'startFailed' };
      renderBanner();
      updateComposer();
    }
  }

  /** Re-opens the stored conversation: its history over HTTP, then the socket from there. */
  async function resumeConversation(stored) {
    const generation = ++state.generation;
    state.conv = {
      agent_id: null,
      ...stored,
      last_seq: Number(stored.last_seq) || 0,
      outbox: Array.isArray(stored.outbox) ? stored.outbox : [],
    };
    state.conv.outbox.forEach(showPending);
    updateComposer();
    setConnection('connecting');
    try {
      const messages = await requestJson(
        `/api/widget/conversations/${encodeURIComponent(state.conv.conversation_id)}/messages?after_seq=0`,
        { headers: { 'X-Conversation-Token': state.conv.token } },
      );
      if (generation !== state.generation) return;
      messages.forEach(onServerMessage);
    } catch (err) {
      // Offline or a bad token: the socket reports the latter; it resumes after the stored last_seq.
      console.warn('could not load the history', err);
    }
    if (generation === state.generation) connect();
  }

  function hasCustomerMessages() {
    return Boolean(state.conv?.outbox.length || ui.list.querySelector('[data-sender="customer"]'));
  }

  // A new locale or identity only matters to a new conversation; replace one nobody has used yet.
  function onSettingsChanged() {
    savePrefs();
    if (!state.conv || state.fatal || !hasCustomerMessages()) startConversation();
    else showInlineNotice(t('appliesNext'), 'note');
  }

  // ---- wiring ---------------------------------------------------------------------------------

  function submitComposer() {
    if (sendText(ui.input.value)) {
      ui.input.value = '';
      autoGrow();
    }
    ui.input.focus();
  }

  function bindEvents() {
    ui.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      submitComposer();
    });
    ui.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitComposer();
      }
    });
    ui.input.addEventListener('input', autoGrow);
    ui.newConversation.addEventListener('click', startConversation);
    ui.bannerButton.addEventListener('click', startConversation);
    ui.localeSelect.addEventListener('change', () => {
      applyLocale(ui.localeSelect.value);
      onSettingsChanged();
    });
    ui.customerSelect.addEventListener('change', () => {
      state.customerId = ui.customerSelect.value;
      onSettingsChanged();
    });
    window.addEventListener('online', () => live.retryNow());
  }

  function init() {
    const prefs = readJson(PREFS_KEY) || {};
    const stored = readJson(STORE_KEY);
    const browserLocale = (navigator.language || 'en').slice(0, 2).toLowerCase();
    const validCustomer = (id) => [...ui.customerSelect.options].some((o) => o.value === id);

    state.customerId = validCustomer(prefs.customer_id) ? prefs.customer_id : '';
    ui.customerSelect.value = state.customerId;
    applyLocale(prefs.locale || (LOCALES.includes(browserLocale) ? browserLocale : 'en'));
    renderEmptyHint();
    updateComposer();
    bindEvents();

    if (stored && stored.conversation_id && stored.token) resumeConversation(stored);
    else startConversation();
  }

  init();
})();
