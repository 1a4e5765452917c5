import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, isInside, resolveStaticPath } from './static-files';

const root = resolve('/srv/renderer');

describe('resolveStaticPath', () => {
  it('maps / to index.html and paths inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(resolve(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app.js')).toBe(resolve(root, 'assets/app.js'));
    expect(resolveStaticPath(root, '/a%20b.css')).toBe(resolve(root, 'a b.css'));
  });

  it.each([
    '/../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2e%2e%2fetc%2fpasswd',
    '/..%5c..%5cetc',
    '/a%00.js',
    '/%E0%A4%A',
    'etc/passwd',
  ])('refuses %s', (path) => {
    expect(resolveStaticPath(root, path)).toBeNull();
  });

  it('knows what is inside', () => {
    expect(isInside(root, resolve(root, 'x'))).toBe(true);
    expect(isInside(root, root)).toBe(false);
    expect(isInside(root, resolve(root, '../renderer-evil/x'))).toBe(false);
  });

  it('names content types', () => {
    expect(contentTypeFor('a.JS')).toMatch(/javascript/);
    expect(contentTypeFor('a.wasm')).toBe('application/wasm');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});
