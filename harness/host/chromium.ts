/** Where Chromium is: Debian's package by default, or any executable STREAMPROOF_CHROMIUM names. */
export const CHROMIUM_PATH = process.env.STREAMPROOF_CHROMIUM ?? '/usr/bin/chromium';
