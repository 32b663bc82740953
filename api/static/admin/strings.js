// @ts-check
/* The admin page's UI strings (English only so far; translator() falls back to English). The
   lists themselves (roles, skills, languages) and their labels come from GET /api/meta. */

import { translator } from '../shared/strings.js';

/** @type {Record<string, Record<string, string>>} */
const ADMIN_STRINGS = {
  en: {
    loginUnreachable: 'Cannot reach the server.',
    loginRefused: 'Unknown agent or wrong password.',
    loginFailed: 'Sign-in failed (HTTP {status}).',
    sessionExpired: 'Your session has expired. Please sign in again.',
    adminsOnly: '{name} is signed in, but only admins manage the team. Sign in with an admin account to see it.',
    unreachable: 'Cannot reach the server. Try again in a moment.',
    loadFailed: 'Could not load the team (HTTP {status}).',
    metaFailed: 'Could not load the lists of roles, skills and languages: {detail}',
    teamCount: '({count})',
    none: 'none',
    edit: 'Edit',
    editLabel: 'Edit {name}',
    presence_online: 'Online',
    presence_away: 'Away',
    presence_offline: 'Offline',
    addTitle: 'Add an agent',
    editTitle: 'Edit {name}',
    addSubmit: 'Add agent',
    editSubmit: 'Save changes',
    saving: 'Saving…',
    password: 'Password (8 characters at least)',
    newPassword: 'Reset password (leave blank to keep it)',
    idTaken: '“{id}” is taken: choose another id.',
    notAddedTaken: 'Not added: that id belongs to another agent.',
    fixFields: 'The server refused this: see the marked fields.',
    refused: 'Refused (HTTP {status}): {detail}',
    noSuchAgent: 'Agent {id} no longer exists.',
    notAdminAnymore: 'Your account is no longer an admin.',
    added: 'Added {name}.',
    saved: 'Saved {name}.',
    invalidNumber: 'A whole number',
  },
};

/** The admin page's t(key, vars). */
export const t = translator(ADMIN_STRINGS, () => 'en');
