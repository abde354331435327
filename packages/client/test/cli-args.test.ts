import { DEFAULT_URL, parseCli, UsageError } from '../src/cli-args';

describe('parseCli', () => {
  it('parses the documented transcode line', () => {
    const { command, url, apiKey } = parseCli([
      'transcode',
      'track.wav',
      '--profile',
      'high',
      '--codec',
      'aac',
      '--bitrate',
      '192000',
      '--priority',
      'urgent',
      '--renditions',
      'low,medium,high',
      '--normalize',
      '--download',
      '--wait',
      '--url',
      'http://h:1/',
      '--api-key',
      'k',
    ]);
    expect(url).toBe('http://h:1');
    expect(apiKey).toBe('k');
    expect(command).toEqual({
      kind: 'transcode',
      file: 'track.wav',
      wait: true,
      json: false,
      timeoutMs: undefined,
      submit: {
        codec: 'aac',
        profile: 'high',
        priority: 'urgent',
        bitrate: 192000,
        renditions: ['low', 'medium', 'high'],
        normalize: true,
        download: true,
      },
    });
  });

  it('takes the server and key from the environment, flags first', () => {
    const env = { STREAM_SERVER_URL: 'https://media.example', STREAM_SERVER_API_KEY: 'env-key' };
    expect(parseCli(['stats'], env)).toEqual({
      command: { kind: 'stats', json: false },
      url: 'https://media.example',
      apiKey: 'env-key',
    });
    expect(parseCli(['stats', '--url', 'http://x:2', '-k', 'flag'], env)).toMatchObject({
      url: 'http://x:2',
      apiKey: 'flag',
    });
    expect(parseCli(['stats'], { STREAM_SERVER_URL: '' }).url).toBe(DEFAULT_URL);
  });

  it('parses status, cancel and help', () => {
    expect(parseCli(['status', 'abc', '--json']).command).toEqual({ kind: 'status', id: 'abc', json: true });
    expect(parseCli(['cancel', 'abc']).command).toEqual({ kind: 'cancel', id: 'abc', json: false });
    expect(parseCli([]).command).toEqual({ kind: 'help' });
    expect(parseCli(['status', '--help']).command).toEqual({ kind: 'help' });
    expect(parseCli(['transcode', 'a.wav', '--timeout', '30']).command).toMatchObject({ timeoutMs: 30_000 });
  });

  it.each([
    [['transcode'], /exactly one <file>/],
    [['transcode', 'a.wav', 'b.wav'], /exactly one <file>/],
    [['transcode', 'a.wav', '--profile', 'ultra'], /--profile must be one of low, medium, high, hi_res/],
    [['transcode', 'a.wav', '--codec', 'wav'], /--codec must be one of/],
    [['transcode', 'a.wav', '--bitrate', '12k'], /--bitrate must be a positive whole number/],
    [['transcode', 'a.wav', '--bitrate', '0'], /--bitrate must be a positive whole number/],
    [['transcode', 'a.wav', '--renditions', 'low,,high'], /--renditions must be one of/],
    [['transcode', 'a.wav', '--bogus'], /Unknown option '--bogus'/],
    [['status'], /exactly one <job-id>/],
    [['status', 'abc', '--wait'], /--wait only applies to "transcode"/],
    [['stats', 'extra'], /takes no arguments/],
    [['play', 'x'], /Unknown command "play"/],
    [['stats', '--url', 'ftp://x'], /--url must be an http\(s\) URL/],
    [['stats', '--url', 'not a url'], /--url must be an http\(s\) URL/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});
