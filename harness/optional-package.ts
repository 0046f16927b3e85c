/**
 * Packages streamproof does not install for everyone (optional peer dependencies): vitest for
 * scenario files, the SDKs and Playwright for the clients that drive them. A team that only
 * validates configs never installs them; whoever needs one is told which, and how.
 */
import { findPackageJSON } from 'node:module';
import { StreamproofError } from './errors.ts';

export function isInstalled(name: string): boolean {
  try {
    return findPackageJSON(name, import.meta.url) !== undefined;
  } catch {
    return false;
  }
}

/** Throws STREAMPROOF_PACKAGE_MISSING when `name` is not installed; `neededFor` says what for. */
export function requirePackage(name: string, neededFor: string): void {
  if (isInstalled(name)) return;
  throw new StreamproofError(
    'STREAMPROOF_PACKAGE_MISSING',
    `${neededFor} needs the npm package ${name}, which is not installed`,
    `npm install --save-dev ${name} (an optional peer dependency of streamproof: installed only where it is used)`,
  );
}
