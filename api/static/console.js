// Agent console. Protocol: docs/protocol.md, "Agent socket".
'use strict';

(() => {
  const SESSION_KEY = 'shopbot.console.session'; // {agent_id, display_name, token}
  const SELECTED_KEY = 'shopbot.console.selected';
  const CLOSE_UNAUTHORIZED = 4401;
  const NOTICE_MS = 8000;

  // Handoff reasons and their labels come from the server (the `hello` frame): one list.
  let REASONS = {};
  const LANGUAGES = { en: 'English', id: 'Indonesian', he: 'Hebrew' };

  const $ = (id) => document.getElementById(id);
  const ui = {
    loginView: $('login-view'),
    loginForm: $('login-form'),
    loginAgent: $('login-agent'),
    loginPassword: $('login-password'),
    loginButton: $('login-button'),
    loginError: $('login-error'),
    appView: $('app-view'),
    agentName: $('agent-name'),
    logout: $('logout-button'),
    connection: $('connection-status'),
    queueWaiting: $('queue-waiting'),
    queueMine: $('queue-mine'),
    queueOthers: $('queue-others'),
    queuedCount: $('queued-count'),
    mineCount: $('mine-count'),
    othersCount: $('others-count'),
    emptyPane: $('empty-pane'),
    pane: $('conversation-pane'),
    convTitle: $('conv-title'),
    convState: $('conv-state'),
    paneClaim: $('pane-claim-button'),
    handback: $('handback-button'),
    close: $('close-button'),
    messageList: $('message-list'),
    replyForm: $('reply-form'),
    replyInput: $('reply-input'),
    replySend: $('reply-send'),
    composerHint: $('composer-hint'),
    context: $('context-panel'),
    notice: $('notice'),
  };

  const S = {
    session: null,
    authFailed: false,
    noticeTimer: 0,
    queue: new Map(), // id -> summary (queued and assigned conversations)
    // Conversations this console follows: {id, summary, context, messages: Map(seq -> message),
    // lastSeq, outbox: [{client_msg_id, text, status}], unread}. context undefined = not loaded yet.
    convs: new Map(),
    selectedId: null,
    claiming: new Set(),
    view: { bySeq: new Map(), byClientId: new Map() }, // elements of the selected conversation's list
  };

  // ---- helpers --------------------------------------------------------------------------------

  /** Builds an element. String children become text nodes, never markup. */
  function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'className') el.className = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function displayName(agentId) {
    if (!agentId) return 'Agent';
    return agentId.charAt(0).toUpperCase() + agentId.slice(1);
  }

  // Timestamps without an offset are taken as UTC (the server's clock).
  function parseTime(iso) {
    if (!iso) return NaN;
    return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  }

  function formatTime(iso) {
    const ms = iso ? parseTime(iso) : Date.now();
    if (Number.isNaN(ms)) return '';
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function waitedText(iso) {
    const ms = parseTime(iso);
    if (Number.isNaN(ms)) return '';
    const seconds = Math.max(0, Math.floor((Date.now() - ms) / 1000));
    if (seconds < 60) return `waiting ${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `waiting ${minutes} min`;
    return `waiting ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  const percent = (x) => `${Math.round((Number(x) || 0) * 100)}%`;
  const reasonLabel = (code) => REASONS[code] || code || 'Handed off';
  const languageLabel = (code) => (LANGUAGES[code] ? `${LANGUAGES[code]} (${code})` : code || '—');

  function formatMoney(amount, currency) {
    const number = Number(amount);
    if (Number.isNaN(number)) return `${amount ?? ''} ${currency ?? ''}`.trim();
    const text = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(number);
    return currency ? `${text} ${currency}` : text;
  }

  function isMine(summary) {
    return summary?.state === 'assigned' && summary.assigned_agent_id === S.session?.agent_id;
  }

  const selectedConv = () => (S.selectedId ? S.convs.get(S.selectedId) : null);

  function storage(key, value) {
    try {
      if (value === undefined) return sessionStorage.getItem(key);
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch {
      /* storage unavailable: the console still works for this page view */
    }
    return null;
  }

  // ---- notice (toast) -------------------------------------------------------------------------

  function showNotice(text, kind = 'info') {
    ui.notice.textContent = text;
    ui.notice.classList.toggle('error', kind === 'error');
    ui.notice.hidden = false;
    clearTimeout(S.noticeTimer);
    S.noticeTimer = setTimeout(hideNotice, NOTICE_MS);
  }

  function hideNotice() {
    ui.notice.hidden = true;
  }

  function errorText(frame) {
    switch (frame.code) {
      case 'already_claimed': return 'Another agent took this conversation';
      case 'not_allowed': return `Not allowed: ${frame.detail || 'you are not the assigned agent'}`;
      case 'conversation_closed': return 'This conversation is closed';
      case 'not_found': return 'That conversation does not exist';
      case 'message_too_long': return 'That message is too long (2,000 characters at most)';
      default: return `Refused (${frame.code}): ${frame.detail || ''}`;
    }
  }

  // ---- login / logout -------------------------------------------------------------------------

  async function onLoginSubmit(event) {
    event.preventDefault();
    ui.loginError.textContent = '';
    ui.loginButton.disabled = true;
    try {
      let response;
      try {
        response = await fetch('/api/agent/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ agent_id: ui.loginAgent.value.trim(), password: ui.loginPassword.value }),
        });
      } catch {
        throw new Error('Cannot reach the server.');
      }
      if (response.status === 401) throw new Error('Unknown agent or wrong password.');
      if (!response.ok) throw new Error(`Sign-in failed (HTTP ${response.status}).`);
      const session = await response.json();
      storage(SESSION_KEY, JSON.stringify(session));
      ui.loginPassword.value = '';
      startConsole(session);
    } catch (err) {
      ui.loginError.textContent = err.message;
    } finally {
      ui.loginButton.disabled = false;
    }
  }

  function startConsole(session) {
    S.session = session;
    S.authFailed = false;
    S.selectedId = storage(SELECTED_KEY) || null;
    ui.loginView.hidden = true;
    ui.appView.hidden = false;
    ui.logout.hidden = false;
    ui.agentName.textContent = session.display_name || displayName(session.agent_id);
    renderQueue();
    renderPane();
    connect();
  }

  function logout(message = '') {
    live.stop();
    storage(SESSION_KEY, null);
    storage(SELECTED_KEY, null);
    S.session = null;
    S.queue.clear();
    S.convs.clear();
    S.claiming.clear();
    S.selectedId = null;
    setConnection('');
    ui.appView.hidden = true;
    ui.logout.hidden = true;
    ui.agentName.textContent = '';
    ui.loginView.hidden = false;
    ui.loginError.textContent = message;
    ui.loginAgent.focus();
  }

  // ---- socket ---------------------------------------------------------------------------------

  function setConnection(text) {
    ui.connection.textContent = text;
  }

  const PHASES = { connecting: 'Connecting…', reconnecting: 'Reconnecting…' };
  const live = new Live.LiveSocket({
    url: () => Live.wsUrl(`/ws/agent?token=${encodeURIComponent(S.session.token)}`),
    onFrame: (frame) => onFrame(frame),
    onPhase: (phase) => setConnection(PHASES[phase] || ''),
    canConnect: () => Boolean(S.session),
    onClosed: (code) => {
      if (code === CLOSE_UNAUTHORIZED || S.authFailed) {
        logout('Your session has expired. Please sign in again.');
        return true;
      }
      return false;
    },
  });
  const sendFrame = (frame) => live.send(frame);
  const connect = () => live.connect();

  function onFrame(frame) {
    switch (frame.type) {
      case 'hello': REASONS = frame.reasons || {}; onHello(); break;
      case 'queue': onQueue(frame.conversations || []); break;
      case 'queue_update': if (frame.conversation) onQueueUpdate(frame.conversation); break;
      case 'claimed': onClaimed(frame.conversation_id); break;
      case 'conversation': if (frame.conversation) onConversation(frame.conversation, frame.context); break;
      case 'message': if (frame.message) onMessage(frame.conversation_id, frame.message); break;
      case 'state': onState(frame); break;
      case 'ack': onAck(frame); break;
      case 'error': onError(frame); break;
      default: break; // unknown frames are ignored so the server can add new ones
    }
  }

  // ---- frames ---------------------------------------------------------------------------------

  function onHello() {
    live.online();
    setConnection('');
    // After a reconnect: pick up every followed conversation where we left it, then retry replies.
    for (const conv of S.convs.values()) {
      sendFrame({ type: 'resume', conversation_id: conv.id, last_seq: conv.lastSeq });
    }
    for (const conv of S.convs.values()) {
      for (const item of conv.outbox) if (item.status === 'pending') sendReplyFrame(conv.id, item);
    }
  }

  function ensureConv(id) {
    let conv = S.convs.get(id);
    if (!conv) {
      conv = {
        id, summary: S.queue.get(id) || { id }, context: undefined, messages: new Map(), lastSeq: 0, outbox: [],
        unread: 0,
      };
      S.convs.set(id, conv);
    }
    return conv;
  }

  /** Starts following a conversation: the server sends its context and messages, then live ones. */
  function follow(id) {
    const conv = ensureConv(id);
    sendFrame({ type: 'resume', conversation_id: id, last_seq: conv.lastSeq });
    return conv;
  }

  // A conversation that left the queue (closed, back to the bot) is dropped once it is not on screen.
  function pruneConvs() {
    for (const id of [...S.convs.keys()]) {
      if (!S.queue.has(id) && id !== S.selectedId) S.convs.delete(id);
    }
  }

  function onQueue(conversations) {
    S.queue = new Map(conversations.map((c) => [c.id, c]));
    for (const conv of S.convs.values()) {
      if (S.queue.has(conv.id)) conv.summary = S.queue.get(conv.id);
    }
    pruneConvs();
    // Follow my own conversations (so customer replies arrive) and the one on screen before a reload.
    for (const summary of S.queue.values()) if (isMine(summary) && !S.convs.has(summary.id)) follow(summary.id);
    if (S.selectedId && !S.convs.has(S.selectedId)) follow(S.selectedId);
    renderQueue();
    renderPane();
  }

  function onQueueUpdate(summary) {
    if (summary.state === 'queued' || summary.state === 'assigned') S.queue.set(summary.id, summary);
    else S.queue.delete(summary.id);
    // My own claim: the server opens the conversation for this socket, so no resume is needed.
    const claimedHere = S.claiming.has(summary.id) && isMine(summary);
    if (summary.state !== 'queued') S.claiming.delete(summary.id);
    const conv = S.convs.get(summary.id);
    if (conv) conv.summary = summary;
    else if (claimedHere) ensureConv(summary.id);
    else if (isMine(summary)) follow(summary.id);
    pruneConvs();
    renderQueue();
    if (summary.id === S.selectedId) renderPaneChrome();
  }

  function onClaimed(id) {
    S.claiming.delete(id);
    ensureConv(id); // the server opens it for us: a conversation frame and the messages follow
    selectConversation(id, { resume: false });
  }

  function onConversation(summary, context) {
    const conv = ensureConv(summary.id);
    conv.summary = summary;
    conv.context = context ?? null;
    if (summary.state === 'queued' || summary.state === 'assigned') S.queue.set(summary.id, summary);
    renderQueue();
    if (summary.id === S.selectedId) {
      renderPaneChrome();
      renderContext(conv);
    }
  }

  function onMessage(id, message) {
    const conv = S.convs.get(id);
    if (!conv) return;
    const seq = Number(message.seq);
    if (seq > conv.lastSeq) conv.lastSeq = seq;
    const known = conv.messages.has(seq);
    conv.messages.set(seq, message);
    if (message.client_msg_id) removeFromOutbox(conv, message.client_msg_id);
    if (id === S.selectedId) {
      showStoredMessage(conv, message);
    } else if (!known && message.sender === 'customer') {
      conv.unread += 1;
      renderQueue();
    }
  }

  function onState(frame) {
    const conv = S.convs.get(frame.conversation_id);
    if (!conv) return;
    conv.summary = {
      ...conv.summary, state: frame.state, assigned_agent_id: frame.assigned_agent_id ?? null,
      handoff_reason: frame.reason ?? null,
    };
    if (frame.conversation_id === S.selectedId) renderPaneChrome();
  }

  function onAck(frame) {
    const conv = S.convs.get(frame.conversation_id);
    if (!conv) return;
    const seq = Number(frame.seq);
    const item = conv.outbox.find((i) => i.client_msg_id === frame.client_msg_id);
    removeFromOutbox(conv, frame.client_msg_id);
    // Keep the reply on screen until its echo arrives. lastSeq is not advanced: only message
    // frames do that, as earlier messages may still be on their way.
    if (item && !conv.messages.has(seq)) {
      conv.messages.set(seq, {
        seq, sender: 'agent', author_id: S.session.agent_id, text: item.text,
        client_msg_id: item.client_msg_id, created_at: new Date().toISOString(),
      });
    }
    if (conv.id === S.selectedId) {
      const el = S.view.byClientId.get(frame.client_msg_id);
      if (el && !el.dataset.seq) markDelivered(el, seq);
    }
  }

  function onError(frame) {
    const id = frame.conversation_id;
    if (frame.code === 'unauthorized') {
      S.authFailed = true; // the socket closes with 4401 next
      return;
    }
    if (id) S.claiming.delete(id);
    if (id && frame.client_msg_id) markFailed(id, frame.client_msg_id);
    if (id && frame.code === 'not_found') {
      S.convs.delete(id);
      if (S.selectedId === id) selectConversation(null);
    }
    showNotice(errorText(frame), 'error');
    renderQueue();
    if (id && id === S.selectedId) renderPaneChrome();
  }

  // ---- actions --------------------------------------------------------------------------------

  function claim(id) {
    if (!sendFrame({ type: 'claim', conversation_id: id })) {
      showNotice('Not connected. Try again in a moment.', 'error');
      return;
    }
    S.claiming.add(id);
    renderQueue();
    if (id === S.selectedId) renderPaneChrome();
  }

  function sendAction(type) {
    const conv = selectedConv();
    if (!conv) return;
    if (!sendFrame({ type, conversation_id: conv.id })) showNotice('Not connected. Try again in a moment.', 'error');
  }

  function sendReplyFrame(id, item) {
    return sendFrame({ type: 'message', conversation_id: id, client_msg_id: item.client_msg_id, text: item.text });
  }

  function sendReply() {
    const conv = selectedConv();
    const text = ui.replyInput.value.trim();
    if (!conv || !text || !isMine(conv.summary)) return;
    const item = { client_msg_id: Live.newClientMsgId(), text, status: 'pending' };
    conv.outbox.push(item);
    showPendingMessage(item);
    sendReplyFrame(conv.id, item); // if offline it is sent after reconnecting (same client_msg_id)
    ui.replyInput.value = '';
    autoGrow();
    ui.replyInput.focus();
  }

  function removeFromOutbox(conv, clientMsgId) {
    conv.outbox = conv.outbox.filter((i) => i.client_msg_id !== clientMsgId);
  }

  function markFailed(id, clientMsgId) {
    const conv = S.convs.get(id);
    const item = conv?.outbox.find((i) => i.client_msg_id === clientMsgId);
    if (item) item.status = 'failed';
    if (id === S.selectedId) {
      const el = S.view.byClientId.get(clientMsgId);
      if (el && !el.dataset.seq) setMessageStatus(el, 'failed');
    }
  }

  function selectConversation(id, { resume = true } = {}) {
    const previous = S.selectedId;
    S.selectedId = id;
    storage(SELECTED_KEY, id);
    if (previous && previous !== id) pruneConvs();
    if (id) {
      const conv = S.convs.get(id) || (resume ? follow(id) : ensureConv(id));
      conv.unread = 0;
    }
    renderQueue();
    renderPane();
  }

  // ---- rendering: queue -----------------------------------------------------------------------

  const byQueuedAt = (a, b) => (parseTime(a.queued_at) || 0) - (parseTime(b.queued_at) || 0);

  function renderQueue() {
    const all = [...S.queue.values()].sort(byQueuedAt);
    const waiting = all.filter((c) => c.state === 'queued');
    const mine = all.filter(isMine);
    const others = all.filter((c) => c.state === 'assigned' && !isMine(c));
    fillQueueList(ui.queueWaiting, ui.queuedCount, waiting, 'No one is waiting.');
    fillQueueList(ui.queueMine, ui.mineCount, mine, 'Nothing assigned to you.');
    fillQueueList(ui.queueOthers, ui.othersCount, others, 'None.');
  }

  function fillQueueList(list, counter, summaries, emptyText) {
    counter.textContent = summaries.length ? `(${summaries.length})` : '';
    list.replaceChildren(...(summaries.length
      ? summaries.map(queueRow)
      : [h('li', { className: 'queue-empty' }, emptyText)]));
  }

  function queueRow(summary) {
    const queued = summary.state === 'queued';
    const mine = isMine(summary);
    const unread = S.convs.get(summary.id)?.unread || 0;
    const classes = ['queue-item'];
    if (summary.id === S.selectedId) classes.push('selected');
    if (!queued && !mine) classes.push('other');

    let detail;
    if (queued) detail = h('span', { className: 'waited', 'data-queued-at': summary.queued_at }, waitedText(summary.queued_at));
    else if (mine) detail = 'assigned to you';
    else detail = `with ${displayName(summary.assigned_agent_id)}`;

    const open = h('button', {
      type: 'button', className: 'queue-open', title: `Open conversation ${summary.id}`,
      onclick: () => selectConversation(summary.id),
    },
    h('div', { className: 'row-main' },
      h('span', { className: 'reason', title: reasonLabel(summary.handoff_reason) }, reasonLabel(summary.handoff_reason)),
      h('span', { className: 'badge', title: languageLabel(summary.locale) }, (summary.locale || '?').toUpperCase()),
      unread ? h('span', { className: 'unread', title: `${unread} new` }, String(unread)) : null),
    h('div', { className: 'row-sub' }, summary.customer_id || 'Guest', ' · ',
      h('code', { className: 'reason-code' }, summary.handoff_reason || '—'), ' · ', detail));

    const row = h('li', {
      className: classes.join(' '), 'data-testid': 'queue-item', 'data-conversation-id': summary.id,
      'data-state': summary.state,
    }, open);
    if (queued) {
      const busy = S.claiming.has(summary.id);
      row.append(h('button', {
        type: 'button', className: 'btn btn-primary btn-small', 'data-testid': 'claim-button', disabled: busy,
        onclick: () => claim(summary.id),
      }, busy ? 'Claiming…' : 'Claim'));
    }
    return row;
  }

  function tickWaited() {
    for (const el of document.querySelectorAll('.waited')) el.textContent = waitedText(el.dataset.queuedAt);
  }

  // ---- rendering: conversation pane ------------------------------------------------------------

  function renderPane() {
    const conv = selectedConv();
    ui.emptyPane.hidden = Boolean(conv);
    ui.pane.hidden = !conv;
    if (!conv) return;
    renderPaneChrome();
    renderContext(conv);
    renderMessageList(conv);
  }

  function stateBadge(summary) {
    switch (summary.state) {
      case 'queued': return ['Waiting for an agent', 'badge-warning'];
      case 'assigned':
        return isMine(summary) ? ['Assigned to you', 'badge-success']
          : [`Assigned to ${displayName(summary.assigned_agent_id)}`, ''];
      case 'bot': return ['Back with the bot', ''];
      case 'closed': return ['Closed', 'badge-danger'];
      default: return ['Loading…', ''];
    }
  }

  function composerHint(summary) {
    switch (summary.state) {
      case 'queued': return 'Claim this conversation to reply.';
      case 'assigned':
        return isMine(summary) ? '' : `${displayName(summary.assigned_agent_id)} is handling this conversation (read only).`;
      case 'bot': return 'This conversation was handed back to the bot.';
      case 'closed': return 'This conversation is closed.';
      default: return '';
    }
  }

  /** Header, state and which controls are enabled (everything except context and messages). */
  function renderPaneChrome() {
    const conv = selectedConv();
    if (!conv) return;
    const { summary } = conv;
    const mine = isMine(summary);
    const [label, badgeClass] = stateBadge(summary);
    ui.convTitle.textContent = `${summary.customer_id || 'Guest'} · ${conv.id.slice(0, 8)}`;
    ui.convTitle.title = conv.id;
    ui.convState.textContent = label;
    ui.convState.className = `badge ${badgeClass}`.trim();
    ui.paneClaim.hidden = summary.state !== 'queued';
    ui.paneClaim.disabled = S.claiming.has(conv.id);
    ui.handback.disabled = !mine;
    ui.close.disabled = !mine;
    ui.replyInput.disabled = !mine;
    ui.replySend.disabled = !mine;
    ui.composerHint.textContent = composerHint(summary);
    ui.composerHint.hidden = mine;
  }

  function section(title, ...children) {
    return h('section', {}, h('h3', {}, title), ...children);
  }

  function keyValues(pairs) {
    return h('dl', { className: 'kv' }, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { dir: 'auto' }, v ?? '—')]));
  }

  function slotValue(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  function renderContext(conv) {
    const c = conv.context;
    if (c === undefined) {
      ui.context.replaceChildren(h('p', { className: 'muted' }, 'Loading context…'));
      return;
    }
    if (c === null) {
      ui.context.replaceChildren(h('p', { className: 'muted' }, 'No handoff context for this conversation.'));
      return;
    }
    ui.context.replaceChildren(
      section('Handoff',
        h('div', { className: 'context-reason', 'data-testid': 'context-reason' },
          reasonLabel(c.reason), ' ', h('code', {}, c.reason || '')),
        c.note ? h('p', { className: 'context-note', dir: 'auto', 'data-testid': 'context-note' }, c.note) : null),
      section('Language', h('div', {}, languageLabel(c.language))),
      section('Customer', customerBlock(c)),
      section('Orders', ordersBlock(c.orders || [])),
      section('Slots', slotsBlock(c.slots || {})),
      section('Transcript (as the bot understood it)', transcriptBlock(c.transcript || [])),
    );
  }

  function customerBlock(c) {
    const verified = c.customer_verified
      ? h('span', { className: 'badge badge-success', 'data-testid': 'customer-verified' }, 'Verified')
      : h('span', { className: 'badge badge-warning', 'data-testid': 'customer-verified' }, 'Not verified');
    if (!c.customer) return h('div', {}, h('p', { className: 'muted' }, 'Unknown customer. '), verified);
    const cu = c.customer;
    return h('div', {},
      h('p', {}, verified),
      keyValues([
        ['Name', cu.name], ['Customer', cu.customer_id], ['Email', cu.email], ['Phone', cu.phone],
        ['Tier', cu.tier],
      ]));
  }

  function ordersBlock(orders) {
    if (!orders.length) return h('p', { className: 'muted' }, 'No orders on file.');
    return h('table', { className: 'orders', 'data-testid': 'orders' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Order'), h('th', {}, 'Status'), h('th', {}, 'Total'), h('th', {}, 'Placed'))),
      h('tbody', {}, orders.map((o) => h('tr', { 'data-order-id': o.order_id },
        h('td', {}, o.order_id),
        h('td', {}, o.status, o.late ? [' ', h('span', { className: 'badge badge-danger' }, 'late')] : null),
        h('td', { className: 'num' }, formatMoney(o.total, o.currency)),
        h('td', {}, o.placed_on || '—')))));
  }

  function slotsBlock(slots) {
    const entries = Object.entries(slots);
    if (!entries.length) return h('p', { className: 'muted' }, 'None.');
    return keyValues(entries.map(([k, v]) => [k, slotValue(v)]));
  }

  function nluBlock(nlu) {
    const ranking = (nlu.ranking || []).slice(0, 3)
      .map((r, i) => `${i + 1}. ${r.intent} — ${percent(r.confidence)}`).join('\n');
    const confident = Number(nlu.confidence) >= 0.6;
    return h('div', { className: 'nlu', title: ranking ? `Top intents:\n${ranking}` : null, 'data-testid': 'nlu' },
      h('span', { className: `badge ${confident ? 'badge-accent' : 'badge-warning'}` },
        `${nlu.intent || '?'} · ${percent(nlu.confidence)}`),
      (nlu.entities || []).map((e) => h('span', { className: 'badge', dir: 'auto' }, `${e.entity}=${slotValue(e.value)}`)));
  }

  function senderLabel(sender, authorId) {
    if (sender === 'agent') return displayName(authorId);
    return { customer: 'Customer', bot: 'Bot', system: 'System' }[sender] || sender;
  }

  function transcriptBlock(transcript) {
    if (!transcript.length) return h('p', { className: 'muted' }, 'Empty.');
    return h('ol', { className: 'transcript', 'data-testid': 'transcript' }, transcript.map((entry) => h('li', {
      'data-sender': entry.sender, 'data-seq': entry.seq,
    },
    h('div', { className: 't-sender' }, `#${entry.seq} ${senderLabel(entry.sender)} · ${formatTime(entry.created_at)}`),
    h('div', { className: 't-text', dir: 'auto' }, entry.text),
    entry.nlu ? nluBlock(entry.nlu) : null)));
  }

  // ---- rendering: messages --------------------------------------------------------------------

  function messageElement({ sender, authorId, text, createdAt }) {
    const li = h('li', {
      className: sender === 'agent' ? 'msg mine' : 'msg', 'data-testid': 'message', 'data-sender': sender,
    });
    if (sender !== 'system') li.append(h('div', { className: 'msg-author' }, senderLabel(sender, authorId)));
    li.append(h('div', { className: 'bubble', dir: 'auto' }, text));
    const meta = h('div', { className: 'msg-meta' }, h('time', { datetime: createdAt }, formatTime(createdAt)));
    if (sender === 'agent') meta.append(h('span', { className: 'msg-status' }));
    li.append(meta);
    return li;
  }

  function setMessageStatus(li, status) {
    li.dataset.status = status;
    li.classList.toggle('pending', status === 'pending');
    li.classList.toggle('failed', status === 'failed');
    const el = li.querySelector('.msg-status');
    if (el) el.textContent = { pending: 'Sending…', delivered: '✓', failed: 'Not sent' }[status] || '';
  }

  function isNearBottom() {
    const list = ui.messageList;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  }

  /** Keeps stored messages in seq order, with replies not yet stored after them. */
  function placeMessage(li) {
    const seq = li.dataset.seq ? Number(li.dataset.seq) : Infinity;
    let before = null;
    if (seq !== Infinity) {
      for (const other of ui.messageList.children) {
        if (other !== li && (!other.dataset.seq || Number(other.dataset.seq) > seq)) {
          before = other;
          break;
        }
      }
    }
    const stick = isNearBottom();
    if (before) ui.messageList.insertBefore(li, before);
    else if (li !== ui.messageList.lastElementChild) ui.messageList.append(li);
    if (stick || li.classList.contains('mine')) ui.messageList.scrollTop = ui.messageList.scrollHeight;
  }

  function storedElement(message) {
    const li = messageElement({
      sender: message.sender, authorId: message.author_id, text: message.text, createdAt: message.created_at,
    });
    li.dataset.seq = String(message.seq);
    if (message.sender === 'agent') setMessageStatus(li, 'delivered');
    S.view.bySeq.set(Number(message.seq), li);
    if (message.client_msg_id) S.view.byClientId.set(message.client_msg_id, li);
    return li;
  }

  function pendingElement(item) {
    const li = messageElement({ sender: 'agent', authorId: S.session.agent_id, text: item.text, createdAt: null });
    li.dataset.clientMsgId = item.client_msg_id;
    setMessageStatus(li, item.status);
    S.view.byClientId.set(item.client_msg_id, li);
    return li;
  }

  function markDelivered(li, seq) {
    li.dataset.seq = String(seq);
    S.view.bySeq.set(seq, li);
    setMessageStatus(li, 'delivered');
    placeMessage(li);
  }

  function showStoredMessage(conv, message) {
    const seq = Number(message.seq);
    if (S.view.bySeq.has(seq)) return;
    const pending = message.client_msg_id ? S.view.byClientId.get(message.client_msg_id) : null;
    if (pending && message.sender === 'agent') markDelivered(pending, seq);
    else placeMessage(storedElement(message));
  }

  function showPendingMessage(item) {
    placeMessage(pendingElement(item));
  }

  function renderMessageList(conv) {
    S.view = { bySeq: new Map(), byClientId: new Map() };
    const stored = [...conv.messages.values()].sort((a, b) => a.seq - b.seq).map(storedElement);
    ui.messageList.replaceChildren(...stored, ...conv.outbox.map(pendingElement));
    ui.messageList.scrollTop = ui.messageList.scrollHeight;
  }

  function autoGrow() {
    ui.replyInput.style.height = 'auto';
    ui.replyInput.style.height = `${Math.min(ui.replyInput.scrollHeight + 2, 140)}px`;
  }

  // ---- wiring ---------------------------------------------------------------------------------

  function bindEvents() {
    ui.loginForm.addEventListener('submit', onLoginSubmit);
    ui.logout.addEventListener('click', () => logout());
    ui.replyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      sendReply();
    });
    ui.replyInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendReply();
      }
    });
    ui.replyInput.addEventListener('input', autoGrow);
    ui.paneClaim.addEventListener('click', () => S.selectedId && claim(S.selectedId));
    ui.handback.addEventListener('click', () => sendAction('handback'));
    ui.close.addEventListener('click', () => sendAction('close'));
    ui.notice.addEventListener('click', hideNotice);
    window.addEventListener('online', () => live.retryNow());
    setInterval(tickWaited, 10000);
  }

  function init() {
    bindEvents();
    let session = null;
    try {
      session = JSON.parse(storage(SESSION_KEY) || 'null');
    } catch {
      session = null;
    }
    if (session?.token) startConsole(session);
    else ui.loginAgent.focus();
  }

  init();
})();
