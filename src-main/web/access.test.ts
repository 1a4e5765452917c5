import { describe, expect, it } from 'vitest';
import { checkUpgrade, hostAllowed, isLoopbackHost, newToken, tokensEqual } from './access';
import { parseClientFrame } from './frames';

describe('tokens', () => {
  it('are random and compared exactly', () => {
    const a = newToken();
    expect(a).toMatch(/^[\w-]{32}$/);
    expect(newToken()).not.toBe(a);
    expect(tokensEqual(a, a)).toBe(true);
    expect(tokensEqual(a.slice(1), a)).toBe(false);
    expect(tokensEqual('', a)).toBe(false);
  });
});

describe('checkUpgrade', () => {
  const ok = { url: '/ws?token=T', host: '127.0.0.1:5177', origin: 'http://127.0.0.1:5177' };
  it.each([
    [ok, true, undefined],
    [{ ...ok, url: '/ws' }, false, 401],
    [{ ...ok, url: '/ws?token=t' }, false, 401],
    [{ ...ok, url: '/ws?token=T&token=x' }, true, undefined],
    [{ ...ok, url: '/socket?token=T' }, false, 404],
    [{ ...ok, origin: undefined }, false, 403],
    [{ ...ok, origin: 'http://evil.example' }, false, 403],
    [{ ...ok, origin: 'https://127.0.0.1:5177' }, false, 403],
    [{ ...ok, origin: 'null' }, false, 403],
    [{ ...ok, host: 'evil.example:5177', origin: 'http://evil.example:5177' }, false, 403],
    [{ ...ok, host: 'localhost:5177', origin: 'http://localhost:5177' }, true, undefined],
    [{ ...ok, host: '127.0.0.1.nip.io:5177', origin: 'http://127.0.0.1.nip.io:5177' }, false, 403],
    [{ ...ok, host: '127.0.0.1:5178', origin: 'http://127.0.0.1:5178' }, false, 403],
  ] as const)('%j → %s', (request, allowed, status) => {
    const decision = checkUpgrade(request, '/ws', 'T', '127.0.0.1', 5177);
    expect(decision.ok).toBe(allowed);
    if (!decision.ok) expect(decision.status).toBe(status);
  });

  it('accepts any Host when bound beyond loopback (the token still guards)', () => {
    expect(hostAllowed('192.168.1.5:5177', '0.0.0.0', 5177)).toBe(true);
    expect(hostAllowed('192.168.1.5:5177', '127.0.0.1', 5177)).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1', 5177)).toBe(false);
  });
});

describe('loopback Host (#17.4: DNS rebinding)', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LocalHost', '::1', '[::1]', '[0:0:0:0:0:0:0:1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '127.0.0.1.nip.io', '127.evil.example', '127.', '127', 'localhost.evil.example', 'evil-localhost', '::2', '[::ffff:7f00:1]x',
    '0.0.0.0', '10.0.0.1', '1270.0.0.1', '',
  ])('%j is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it.each([
    ['127.0.0.1:5177', true], ['localhost:5177', true], ['[::1]:5177', true],
    ['127.0.0.1.nip.io:5177', false], ['127.0.0.1:5178', false], ['127.0.0.1', false], ['localhost:05177x', false],
    ['evil@127.0.0.1:5177', false], ['127.0.0.1:5177/x', false], ['127.0.0.1:5177?', false], ['127.0.0.1:5177#', false],
    [' 127.0.0.1:5177', false], ['', false],
  ])('Host %j for a server on 127.0.0.1:5177 → %s', (header, allowed) => {
    expect(hostAllowed(header, '127.0.0.1', 5177)).toBe(allowed);
  });

  it('takes a Host without a port only for a server on port 80', () => {
    expect(hostAllowed('localhost', '127.0.0.1', 80)).toBe(true);
    expect(hostAllowed('localhost:80', '127.0.0.1', 80)).toBe(true);
  });
});

describe('parseClientFrame', () => {
  it('accepts calls and engine frames', () => {
    expect(parseClientFrame('{"kind":"call","id":1,"method":"getAppInfo","args":[]}')).toEqual({
      ok: true,
      frame: { kind: 'call', id: 1, method: 'getAppInfo', args: [] },
    });
    expect(parseClientFrame('{"kind":"engine","message":{"type":"ping","id":1}}').ok).toBe(true);
  });

  it.each([
    ['', 'bad-json'],
    ['nul', 'bad-json'],
    ['null', 'bad-frame'],
    ['"call"', 'bad-frame'],
    ['[]', 'bad-frame'],
    ['{}', 'unknown-kind'],
    ['{"kind":"result","id":1}', 'unknown-kind'],
    ['{"kind":"call","method":"getAppInfo","args":[]}', 'bad-frame'],
    ['{"kind":"call","id":-1,"method":"getAppInfo","args":[]}', 'bad-frame'],
    ['{"kind":"call","id":1.5,"method":"getAppInfo","args":[]}', 'bad-frame'],
  ])('answers %j with an error frame (%s)', (text, code) => {
    const parsed = parseClientFrame(text);
    expect(parsed).toMatchObject({ ok: false, reply: { kind: 'error', error: { code } } });
  });

  // Beyond the wire limits a frame is refused in the form its sender waits for: a call by its id, an engine
  // message as an engine error, anything else as an error frame.
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  it('refuses frames nested beyond the limit, answering each the way its sender waits', () => {
    expect(parseClientFrame(`{"kind":"call","id":3,"method":"loadProject","args":${deep(5000)}}`)).toMatchObject({
      ok: false, reply: { kind: 'result', id: 3, envelope: { ok: false, error: { code: 'too-deep' } } },
    });
    expect(parseClientFrame(`{"kind":"engine","message":{"type":"run-start","spec":${deep(40)}}}`)).toMatchObject({
      ok: false, reply: { kind: 'engine', message: { type: 'error', requestType: 'run-start', message: expect.stringMatching(/nested more than 32/) } },
    });
    expect(parseClientFrame(`{"kind":"call","args":${deep(100)}}`)).toMatchObject({ ok: false, reply: { kind: 'error', error: { code: 'too-deep' } } });
    expect(parseClientFrame(`{"kind":${deep(100)}}`)).toMatchObject({ ok: false, reply: { kind: 'error', error: { code: 'too-deep' } } });
    expect(parseClientFrame(`{"kind":"engine","message":{"type":"run-start","spec":${deep(25)}}}`).ok).toBe(true);
  });
});
