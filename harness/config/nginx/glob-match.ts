/**
 * Shell-style patterns as glob(3) reads them for nginx's `include` (`*`, `?`, `[...]`, with `/`
 * never matched and a leading `.` only matched literally), turned into a RegExp per path segment.
 */

export function hasGlobMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** RegExp matching one path segment against one pattern segment. */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else source += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  // glob(3) without GLOB_PERIOD: a wildcard never matches a leading dot.
  const hidden = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${source}$`);
}
