// @ts-check
/* The dashboard's sign-in: the console's form and endpoint (shared/sign-in.js), its own session key;
   whether the account may see the figures is the dashboard API's answer. */

import { SignIn } from '../shared/sign-in.js';
import { t } from './strings.js';

/** @typedef {import('../shared/sign-in.js').Session} Session */

const signIn = new SignIn('shopbot.dashboard.session', t);

/** @returns {Session | null} this tab's session, if signed in */
export const storedSession = () => signIn.stored();
export const forgetSession = () => signIn.forget();
/**
 * @param {URL} base the app's address
 * @param {(session: Session) => void} onSignedIn
 */
export const initLogin = (base, onSignedIn) => signIn.init(base, onSignedIn);
/** @param {string} [message] why, after signing out */
export const showLogin = (message = '') => signIn.show(message);
export const hideLogin = () => signIn.hide();
