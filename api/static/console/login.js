// @ts-check
/* The console's sign-in: the shared form (shared/sign-in.js) with the console's own session key. */

import { SignIn } from '../shared/sign-in.js';
import { t } from './strings.js';

/** @typedef {import('../shared/sign-in.js').Session} Session */

const signIn = new SignIn('shopbot.console.session', t);

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
