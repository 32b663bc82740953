// @ts-check
/* The agent console's UI strings (English only so far; translator() falls back to English). */

import { translator } from '../shared/strings.js';

/** @type {Record<string, Record<string, string>>} */
const CONSOLE_STRINGS = {
  en: {
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
    sessionExpired: 'Your session has expired. Please sign in again.',
    loginUnreachable: 'Cannot reach the server.',
    loginRefused: 'Unknown agent or wrong password.',
    loginFailed: 'Sign-in failed (HTTP {status}).',
    notConnected: 'Not connected. Try again in a moment.',
    error_already_claimed: 'Another agent took this conversation',
    error_not_allowed: 'Not allowed: {detail}',
    notAllowedDetail: 'you are not the assigned agent',
    error_conversation_closed: 'This conversation is closed',
    error_not_found: 'That conversation does not exist',
    error_message_too_long: 'That message is too long (2,000 characters at most)',
    error_generic: 'Refused ({code}): {detail}',
    agent: 'Agent',
    guest: 'Guest',
    customer_online: 'Customer here',
    customer_away: 'Customer away',
    customer_gone: 'Customer gone',
    handedOff: 'Handed off',
    senderCustomer: 'Customer',
    senderBot: 'Bot',
    senderSystem: 'System',
    sending: 'Sending…',
    notSent: 'Not sent',
    waitingNone: 'No one is waiting.',
    ticketsNone: 'No tickets.',
    sectionTransfer: 'Transferred by',
    transferTo: 'Transfer to',
    transferTeam: '{skill} team (back to the line)',
    transferNote: 'A note for your colleague (the customer does not see it)',
    ticketRow: 'ticket, no e-mail left',
    stateTicket: 'Ticket (left outside hours)',
    mineNone: 'Nothing assigned to you.',
    othersNone: 'None.',
    waitedUnderMinute: 'waiting <1 min',
    waitedMinutes: 'waiting {n} min',
    waitedHours: 'waiting {h} h {m} min',
    assignedToYouRow: 'assigned to you',
    withAgent: 'with {agent}',
    openConversation: 'Open conversation {id}',
    unread: '{n} new',
    alert_queued: 'New conversation waiting',
    alert_assigned: 'New chat assigned to you: {customer}',
    alert_message: 'New message from {customer}',
    claim: 'Claim',
    claiming: 'Claiming…',
    stateQueued: 'Waiting for an agent',
    stateMine: 'Assigned to you',
    stateOther: 'Assigned to {agent}',
    stateBot: 'Back with the bot',
    stateClosed: 'Closed',
    stateLoading: 'Loading…',
    hintQueued: 'Claim this conversation to reply.',
    hintOther: '{agent} is handling this conversation (read only).',
    hintBot: 'This conversation was handed back to the bot.',
    hintClosed: 'This conversation is closed.',
    contextLoading: 'Loading context…',
    contextNone: 'No handoff context for this conversation.',
    sectionHandoff: 'Handoff',
    sectionLanguage: 'Language',
    sectionCustomer: 'Customer',
    sectionOrders: 'Orders',
    sectionSlots: 'Slots',
    sectionTranscript: 'Transcript (as the bot understood it)',
    verified: 'Verified',
    notVerified: 'Not verified',
    unknownCustomer: 'Unknown customer. ',
    fieldName: 'Name',
    fieldCustomer: 'Customer',
    fieldEmail: 'Email',
    fieldPhone: 'Phone',
    fieldTier: 'Tier',
    noOrders: 'No orders on file.',
    colOrder: 'Order',
    colStatus: 'Status',
    colTotal: 'Total',
    colPlaced: 'Placed',
    late: 'late',
    noSlots: 'None.',
    topIntents: 'Top intents:\n{ranking}',
    emptyTranscript: 'Empty.',
  },
};

/** The console's t(key, vars). */
export const t = translator(CONSOLE_STRINGS, () => 'en');

/**
 * @param {string} key
 * @returns {boolean} whether the console has a string for `key`
 */
export function hasText(key) {
  return key in CONSOLE_STRINGS.en;
}
