import type { LookupAddress } from 'node:dns';
import { isAllowListed, parseAllowList } from '../src/allow-list';
import { ForbiddenAddressError, UnresolvableHostError, UnusableUrlError } from '../src/guard-signals';
import { checkOutboundTarget } from '../src/outbound-guard';
import { parseOutboundUrl } from '../src/outbound-url';
import { pinnedLookup } from '../src/pinned-lookup';

const resolvingTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));

describe('parseOutboundUrl', () => {
  it('accepts http(s) URLs and drops the fragment', () => {
    expect(parseOutboundUrl(' https://media.example.com/a.mp3?sig=1#t=3 ').href).toBe(
      'https://media.example.com/a.mp3?sig=1',
    );
    expect(parseOutboundUrl('/b.mp3', new URL('http://media.example.com/dir/a.mp3')).href).toBe(
      'http://media.example.com/b.mp3',
    );
  });

  it.each([
    ['http://2130706433/', '127.0.0.1', 'decimal'],
    ['http://0x7f.1/', '127.0.0.1', 'hex, two parts'],
    ['http://0x7f000001/', '127.0.0.1', 'hex'],
    ['http://0177.0.0.1/', '127.0.0.1', 'octal'],
    ['http://127.1/', '127.0.0.1', 'short form'],
    ['http://0/', '0.0.0.0', 'zero'],
    ['http://[::ffff:7f00:1]/', '[::ffff:7f00:1]', 'IPv4-mapped'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]', 'long IPv6 loopback'],
    ['http://LOCALHOST/', 'localhost', 'upper case name'],
  ])('normalises %s to %s (%s) before the address policy sees it', (value, hostname) => {
    expect(parseOutboundUrl(value).hostname).toBe(hostname);
  });

  it.each([
    ['', 'length'],
    ['example.com/a.mp3', 'syntax'],
    ['http://', 'syntax'],
    ['ftp://example.com/a.mp3', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['data:audio/mpeg;base64,AAAA', 'scheme'],
    ['https://user:pw@example.com/', 'credentials'],
    ['https://user@example.com/', 'credentials'],
    ['https://:pw@example.com/', 'credentials'],
    [`https://example.com/${'x'.repeat(2040)}`, 'length'],
  ])('refuses %p (%s)', (value, fault) => {
    expect(() => parseOutboundUrl(value)).toThrow(expect.objectContaining({ fault }));
  });

  it('refuses a relative Location that resolves past the length cap', () => {
    const base = new URL(`http://example.com/${'d'.repeat(1500)}/`);
    expect(() => parseOutboundUrl('x'.repeat(600), base)).toThrow(UnusableUrlError);
  });
});

describe('checkOutboundTarget', () => {
  it('checks every address a name resolves to', async () => {
    const url = new URL('https://media.example.com/a.mp3');
    await expect(checkOutboundTarget(url, { resolve: resolvingTo('93.184.216.34') })).resolves.toEqual({
      url,
      addresses: [{ address: '93.184.216.34', family: 4 }],
    });
    // One private answer among public ones is enough (DNS rebinding).
    await expect(
      checkOutboundTarget(url, { resolve: resolvingTo('93.184.216.34', '2606:4700::1', '169.254.169.254') }),
    ).rejects.toEqual(new ForbiddenAddressError('media.example.com', '169.254.169.254'));
  });

  it('takes IP literals as they are, without resolving', async () => {
    const resolve = jest.fn(resolvingTo('93.184.216.34'));
    await expect(checkOutboundTarget(new URL('http://[::ffff:7f00:1]/'), { resolve })).rejects.toMatchObject({
      address: '::ffff:7f00:1',
    });
    await expect(checkOutboundTarget(new URL('http://8.8.8.8/'), { resolve })).resolves.toMatchObject({
      addresses: [{ address: '8.8.8.8', family: 4 }],
    });
    expect(resolve).not.toHaveBeenCalled();
  });

  it('refuses hosts that do not resolve', async () => {
    const failing = async () => Promise.reject(new Error('ENOTFOUND'));
    await expect(checkOutboundTarget(new URL('http://nowhere.invalid/'), { resolve: failing })).rejects.toBeInstanceOf(
      UnresolvableHostError,
    );
    await expect(
      checkOutboundTarget(new URL('http://empty.example/'), { resolve: resolvingTo() }),
    ).rejects.toBeInstanceOf(UnresolvableHostError);
  });

  it('resolves localhost with the system resolver and refuses it', async () => {
    await expect(checkOutboundTarget(new URL('http://localhost:9/'))).rejects.toBeInstanceOf(ForbiddenAddressError);
  });

  it('lets allow-listed hosts (and only them) reach private addresses, still pinned to what resolved', async () => {
    const allowList = parseAllowList('media.internal:8080');
    const resolve = resolvingTo('10.1.2.3');
    await expect(
      checkOutboundTarget(new URL('http://media.internal:8080/a'), { allowList, resolve }),
    ).resolves.toMatchObject({
      addresses: [{ address: '10.1.2.3', family: 4 }],
    });
    await expect(
      checkOutboundTarget(new URL('http://media.internal:8081/a'), { allowList, resolve }),
    ).rejects.toBeInstanceOf(ForbiddenAddressError);
    await expect(
      checkOutboundTarget(new URL('http://other.internal:8080/a'), { allowList, resolve }),
    ).rejects.toBeInstanceOf(ForbiddenAddressError);
    expect(isAllowListed(allowList, new URL('http://MEDIA.INTERNAL:8080/'))).toBe(true);
  });

  it('allows every address when private targets are allowed', async () => {
    await expect(checkOutboundTarget(new URL('http://[::1]:9/x'), { allowPrivate: true })).resolves.toMatchObject({
      addresses: [{ address: '::1', family: 6 }],
    });
  });
});

describe('pinnedLookup', () => {
  const lookup = pinnedLookup([
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::', family: 6 },
  ]);

  function ask(options: { family?: number; all?: boolean }): Promise<unknown> {
    return new Promise((resolve, reject) => {
      lookup(
        'rebinding.example',
        options,
        (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) =>
          err ? reject(err) : resolve(options.all === true ? address : { address, family }),
      );
    });
  }

  it('answers only with the checked addresses, whatever the name', async () => {
    await expect(ask({})).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(ask({ family: 6 })).resolves.toEqual({ address: '2606:2800:220:1::', family: 6 });
    await expect(ask({ all: true })).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::', family: 6 },
    ]);
  });

  it('fails rather than invent an address of a family it was not given', async () => {
    const v4only = pinnedLookup([{ address: '93.184.216.34', family: 4 }]);
    await expect(
      new Promise((resolve, reject) => v4only('x', { family: 6 }, (err) => (err ? reject(err) : resolve(undefined)))),
    ).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
