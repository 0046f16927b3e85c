/**
 * nginx regexes are PCRE; JavaScript's RegExp reads nearly all that configs use. The differences
 * that do appear are translated: `(?P<name>` groups and a leading `(?i)`. Anything JavaScript
 * still refuses is reported, not guessed at.
 */

export type CompiledRegex = { regex: RegExp; error?: undefined } | { regex?: undefined; error: string };

export function compilePcre(source: string, caseless: boolean): CompiledRegex {
  let body = source.replace(/\(\?P</g, '(?<');
  let flags = caseless ? 'i' : '';
  if (body.startsWith('(?i)')) {
    body = body.slice(4);
    flags = 'i';
  }
  try {
    return { regex: new RegExp(body, flags) };
  } catch (error) {
    return { error: `cannot evaluate regex ${source}: ${(error as Error).message}` };
  }
}
