// @ts-check
/* A short beep from a Web Audio oscillator (no audio file). Browsers keep audio suspended until the
   user has interacted with the page, and some block it altogether: then the beep is silent, never an
   error. */

/** @typedef {'queued' | 'assigned' | 'message'} BeepKind */

/** @type {Record<BeepKind, number[]>} the tones of each beep, in Hz */
const TONES = {
  queued: [660, 880], // rising: someone is waiting
  assigned: [880, 880], // twice the same: it is yours now
  message: [990], // one short tone: a new message
};
const TONE_S = 0.12;
const MIN_GAP_MS = 800; // several events at once give one beep

/** @type {AudioContext | null} */
let audio = null;
let lastBeep = 0;

/** @returns {AudioContext | null} the page's audio context, created on first use */
function context() {
  if (audio) return audio;
  const Ctor = window.AudioContext || /** @type {any} */ (window).webkitAudioContext;
  if (!Ctor) return null;
  audio = /** @type {AudioContext} */ (new Ctor());
  return audio;
}

/** Lets audio play later: call from a user gesture (a click). */
export function unlockSound() {
  try {
    const ctx = context();
    if (ctx && ctx.state === 'suspended') ctx.resume().catch(() => {});
  } catch {
    /* no audio */
  }
}

/**
 * Plays the beep of `kind`, quietly; does nothing if audio is unavailable or blocked.
 * @param {BeepKind} kind
 */
export function beep(kind) {
  const now = Date.now();
  if (now - lastBeep < MIN_GAP_MS) return;
  lastBeep = now;
  try {
    const ctx = context();
    if (!ctx) return;
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    let start = ctx.currentTime + 0.01;
    for (const frequency of TONES[kind]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.15, start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + TONE_S);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + TONE_S + 0.02);
      start += TONE_S + 0.05;
    }
  } catch {
    /* audio blocked or unsupported: no sound */
  }
}
