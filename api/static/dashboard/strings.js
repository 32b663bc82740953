// @ts-check
/* The dashboard's UI strings (English, like the console's and the admin page's; translator() falls
   back to English). Handoff reasons come labelled from the API, languages' names from GET /api/meta. */

import { translator } from '../shared/strings.js';

/** @type {Record<string, Record<string, string>>} */
const DASHBOARD_STRINGS = {
  en: {
    loginUnreachable: 'Cannot reach the server.',
    loginRefused: 'Unknown agent or wrong password.',
    loginFailed: 'Sign-in failed (HTTP {status}).',
    sessionExpired: 'Your session has expired. Please sign in again.',
    supervisorsOnly: '{name} is signed in, but the dashboard is for supervisors and admins only. '
      + 'Sign in with a supervisor account to see it.',
    unreachable: 'Cannot reach the server. Try again in a moment.',
    loadFailed: 'Could not load the dashboard (HTTP {status}): {detail}',
    exportFailed: 'Could not export the CSV (HTTP {status}).',
    exported: 'Downloaded {file}.',
    loading: 'Loading…',
    allLanguages: 'All languages',
    needDates: 'Pick both dates.',
    reversed: '“From” is after “To”.',
    range: '{start} to {end} (UTC), {language}: {count} conversations',
    rangeOne: '{start} to {end} (UTC), {language}: 1 conversation',
    // The figures table.
    figuresTitle: 'Figures',
    figure: 'Figure',
    value: 'Value',
    detail: 'Detail',
    conversations: 'Conversations',
    conversationsDetail: 'started in the range, with a customer message',
    containment: 'Containment',
    containmentDetail: '{count} resolved without a person',
    handoffRate: 'Handoff rate',
    handoffDetail: '{count} handed off, {assigned} taken by an agent',
    waiting: 'Waiting time',
    firstResponse: 'First agent response',
    resolution: 'Resolution time',
    durationValue: 'p50 {p50} · p90 {p90}',
    durationDetail: '{count} measured, mean {mean}',
    csat: 'CSAT',
    csatValue: '{average} / 5',
    csatDetail: '{rated} rated, {satisfied} gave 4 or 5',
    assist: 'Suggestions used',
    assistDetail: '{used} of {count}: {sent} sent, {edited} edited, {tool} tool, {ignored} ignored, '
      + '{undecided} undecided',
    none: '—',
    // Charts.
    daysTitle: 'Conversations per day',
    contained: 'contained',
    handedOff: 'handed off',
    reasonsTitle: 'Handoffs by reason',
    reasonsEmpty: 'No handoffs in this range.',
    reasonValue: '{count} ({rate})',
    hoursTitle: 'Busiest hours (customer messages, UTC)',
    csatTitle: 'Ratings',
    barTitle: '{label}: {value}',
    // Tables.
    languagesTitle: 'Per language',
    language: 'Language',
    fallbacksTitle: 'Intents with the most fallbacks',
    fallbacksEmpty: 'No fallbacks or unsure readings in this range.',
    intent: 'Intent the model leaned to',
    fallback: 'Fallback',
    lowConfidence: 'Unsure',
    total: 'Total',
  },
};

/** The dashboard's t(key, vars). */
export const t = translator(DASHBOARD_STRINGS, () => 'en');
