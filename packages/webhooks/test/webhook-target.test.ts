import { checkCallbackTarget, parseCallbackUrl } from '../src/webhook-target';
import { webhookAttempts, webhookBackoffMs } from '@stream-server/jobs';
import { isPublicAddress } from '@stream-server/outbound';

describe('callback URL syntax', () => {
  it('accepts http(s) URLs and drops the fragment', () => {
    expect(parseCallbackUrl(' https://hooks.example.com/a?b=1#frag ').href).toBe('https://hooks.example.com/a?b=1');
    expect(parseCallbackUrl('http://example.com').href).toBe('http://example.com/');
  });

  it.each([
    ['', 'empty'],
    ['example.com/hook', 'relative'],
    ['ftp://example.com/', 'ftp'],
    ['javascript:alert(1)', 'javascript'],
    ['file:///etc/passwd', 'file'],
    ['https://user:pw@example.com/', 'credentials'],
    ['https://user@example.com/', 'user only'],
    [`https://example.com/${'x'.repeat(2040)}`, 'over 2048 characters'],
  ])('refuses %p (%s)', (value) => {
    expect(() => parseCallbackUrl(value)).toThrow(expect.objectContaining({ code: 'INVALID_CALLBACK_URL' }));
  });
});

describe('public addresses', () => {
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-ip',
  ])('%s is not', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('callback targets', () => {
  const resolvingTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));

  it('checks every address a name resolves to', async () => {
    const ok = await checkCallbackTarget('https://hooks.example.com/x', {
      allowPrivate: false,
      resolve: resolvingTo('93.184.216.34'),
    });
    expect(ok.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    // One private answer among public ones is enough to refuse (DNS rebinding).
    await expect(
      checkCallbackTarget('https://hooks.example.com/x', {
        allowPrivate: false,
        resolve: resolvingTo('93.184.216.34', '10.0.0.7'),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_CALLBACK_URL' });
    await expect(
      checkCallbackTarget('https://nowhere.invalid/x', {
        allowPrivate: false,
        resolve: async () => {
          throw new Error('ENOTFOUND');
        },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_CALLBACK_URL', message: expect.stringMatching(/does not resolve/) });
  });

  it('allows private targets only when told to', async () => {
    await expect(checkCallbackTarget('http://127.0.0.1:9/x', { allowPrivate: false })).rejects.toMatchObject({
      code: 'INVALID_CALLBACK_URL',
    });
    await expect(checkCallbackTarget('http://[::1]:9/x', { allowPrivate: true })).resolves.toMatchObject({
      addresses: [{ address: '::1', family: 6 }],
    });
  });
});

describe('webhook retry plan', () => {
  it('doubles from the base and caps at an hour', () => {
    expect([1, 2, 3, 4].map((attempt) => webhookBackoffMs(attempt, 10_000))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(webhookBackoffMs(12, 10_000)).toBe(3_600_000);
    expect(webhookBackoffMs(5_000, 10_000)).toBe(3_600_000);
  });

  it('makes the retries span the retry window', () => {
    const attempts = webhookAttempts(24, 10_000);
    const spanMs = Array.from({ length: attempts - 1 }, (_, index) => webhookBackoffMs(index + 1, 10_000)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(spanMs).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(spanMs - webhookBackoffMs(attempts - 1, 10_000)).toBeLessThan(24 * 3_600_000);
    expect(attempts).toBe(33);
    expect(webhookAttempts(1, 10_000)).toBeLessThan(webhookAttempts(24, 10_000));
  });
});
