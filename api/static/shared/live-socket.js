// @ts-check
/* What the widget and the agent console share: a websocket that reconnects with backoff and
   notices a silently dead connection (ping/pong), client message ids, and websocket addresses. */

const MAX_BACKOFF_MS = 10000;
const PING_EVERY_MS = 25000;
const PONG_TIMEOUT_MS = 10000;

/** @typedef {{type: string, [field: string]: any}} Frame */
/** @typedef {'connecting' | 'reconnecting'} Phase */

/**
 * @typedef {object} LiveSocketOptions
 * @property {() => string} url the address to (re)connect to, read at each attempt
 * @property {() => string} token the socket's token, read at each attempt and sent as the first frame
 *   (never in the URL, which proxies and logs keep)
 * @property {(frame: Frame) => void} onFrame every parsed JSON frame
 * @property {(code: number) => boolean} onClosed the socket closed; return true to stop reconnecting
 *   (e.g. a refused token)
 * @property {(phase: Phase) => void} [onPhase]
 * @property {() => boolean} [canConnect] false while there is nothing to connect for (no conversation,
 *   signed out)
 */

export class LiveSocket {
  /** @param {LiveSocketOptions} options */
  constructor({ url, token, onFrame, onClosed, onPhase = () => {}, canConnect = () => true }) {
    this.url = url;
    this.token = token;
    this.onFrame = onFrame;
    this.onClosed = onClosed;
    this.onPhase = onPhase;
    this.canConnect = canConnect;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.connected = false;
    this.attempt = 0;
    this.reconnectTimer = 0;
    this.pingTimer = 0;
    this.pongTimer = 0;
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    if (!this.canConnect()) return;
    this.drop();
    this.onPhase(this.attempt ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      if (ws === this.ws) ws.send(JSON.stringify({ type: 'auth', token: this.token() }));
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'pong') clearTimeout(this.pongTimer);
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.connected = false;
      this.stopPing();
      if (!this.onClosed(event.code)) this.scheduleReconnect();
    };
  }

  /** Forgets the current socket without triggering a reconnect. */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.connected = false;
    this.stopPing();
    if (!ws) return;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
  }

  /** Stops for good (sign-out, conversation ended) until connect() is called again. */
  stop() {
    this.drop();
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
  }

  /** The server said hello: the connection is live, the backoff starts over. */
  online() {
    this.connected = true;
    this.attempt = 0;
    this.startPing();
  }

  /** Reconnect now (e.g. the network came back) if not connected. */
  retryNow() {
    if (this.connected || !this.canConnect()) return;
    this.attempt = 0;
    this.connect();
  }

  /**
   * @param {Frame} frame
   * @returns {boolean} false if there is no open socket (the frame was not sent)
   */
  send(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    const delay = Math.min(1000 * 2 ** this.attempt, MAX_BACKOFF_MS);
    this.attempt += 1;
    this.onPhase('reconnecting');
    this.reconnectTimer = window.setTimeout(() => this.connect(), delay);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = window.setInterval(() => {
      if (!this.send({ type: 'ping' })) return;
      clearTimeout(this.pongTimer);
      // A socket can die silently (sleep, network switch); no pong means reconnect.
      this.pongTimer = window.setTimeout(() => {
        this.drop();
        this.scheduleReconnect();
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}

/** @returns {string} a fresh client_msg_id (a UUID) */
export function newClientMsgId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID only exists in secure contexts (https, localhost); getRandomValues works everywhere.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The websocket address of `path` on the app at `base` (http -> ws, https -> wss).
 * @param {string} path relative to `base` (no leading slash keeps a path prefix of `base`)
 * @param {string | URL} base the app's address; the embedded widget passes its own script's origin
 * @returns {string}
 */
export function wsUrl(path, base) {
  const url = new URL(path, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
