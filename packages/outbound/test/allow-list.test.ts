import { isAllowListed, parseAllowList } from '../src/allow-list';
import { InvalidAllowListEntryError } from '../src/guard-signals';

describe('parseAllowList', () => {
  it.each([
    ['', []],
    ['media.internal', [{ host: 'media.internal', port: null }]],
    ['Media.INTERNAL:8080', [{ host: 'media.internal', port: 8080 }]],
    ['127.0.0.1:9000', [{ host: '127.0.0.1', port: 9000 }]],
    ['0x7f.1:9000', [{ host: '127.0.0.1', port: 9000 }]],
    ['[::1]', [{ host: '[::1]', port: null }]],
    ['[0:0::1]:443', [{ host: '[::1]', port: 443 }]],
    [
      ' a.example , b.example:81\nc.example ',
      [
        { host: 'a.example', port: null },
        { host: 'b.example', port: 81 },
        { host: 'c.example', port: null },
      ],
    ],
  ])('%p', (text, expected) => {
    expect(parseAllowList(text)).toEqual(expected);
  });

  it('takes a list as well as one string', () => {
    expect(parseAllowList(['a.example', ' b.example:1 ', ''])).toEqual([
      { host: 'a.example', port: null },
      { host: 'b.example', port: 1 },
    ]);
  });

  it.each([
    ['http://a.example', 'a scheme'],
    ['a.example/path', 'a path'],
    ['user@a.example', 'credentials'],
    ['a.example:0', 'port 0'],
    ['a.example:65536', 'port out of range'],
    ['a.example:', 'empty port'],
    ['a.example:http', 'port not a number'],
    ['::1', 'IPv6 without brackets'],
    ['[::1', 'unclosed bracket'],
    ['[not-v6]', 'brackets around a name'],
    ['*.example', 'a wildcard (only exact hosts)'],
  ])('refuses %p (%s)', (entry) => {
    expect(() => parseAllowList(entry)).toThrow(InvalidAllowListEntryError);
  });
});

describe('isAllowListed', () => {
  const list = parseAllowList('media.internal, 127.0.0.1:9000, [::1]:8443');

  it.each([
    ['http://media.internal/x', true, 'any port when none is listed'],
    ['https://MEDIA.internal:4443/x', true, 'case-insensitive'],
    ['http://127.0.0.1:9000/x', true, 'host and port'],
    ['http://2130706433:9000/x', true, 'same address in another spelling'],
    ['https://[::1]:8443/x', true, 'IPv6 host and port'],
    ['http://127.0.0.1:9001/x', false, 'another port'],
    ['http://127.0.0.1/x', false, 'the default port is port 80'],
    ['http://[::1]/x', false, 'IPv6 on another port'],
    ['http://cdn.media.internal/x', false, 'a subdomain'],
    ['http://media.internal.evil.example/x', false, 'a longer name'],
    ['http://localhost:9000/x', false, 'a name for the same address'],
  ])('%s → %p (%s)', (url, expected) => {
    expect(isAllowListed(list, new URL(url))).toBe(expected);
  });

  it('matches default ports when listed explicitly', () => {
    const defaults = parseAllowList('a.example:80, b.example:443');
    expect(isAllowListed(defaults, new URL('http://a.example/'))).toBe(true);
    expect(isAllowListed(defaults, new URL('https://a.example/'))).toBe(false);
    expect(isAllowListed(defaults, new URL('https://b.example/'))).toBe(true);
  });
});
