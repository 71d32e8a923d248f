import { describe, expect, it } from 'vitest';
import { isOwnRenderer, isSafeExternalUrl } from '../../../src-main/security';

describe('which pages get the trusted API', () => {
  it('only our own renderer file, or the dev server origin; not a file that names it in its query or hash', () => {
    expect(isOwnRenderer('file:///opt/PnF%20Studio/resources/app.asar/out/renderer/index.html', undefined)).toBe(true);
    expect(isOwnRenderer('file:///opt/app/out/renderer/index.html#/x', undefined)).toBe(true);
    for (const url of ['file:///tmp/evil.html#/renderer/index.html', 'file:///tmp/evil.html?/renderer/index.html', 'https://example.com/renderer/index.html', 'not a url']) {
      expect(isOwnRenderer(url, undefined), url).toBe(false);
    }
    expect(isOwnRenderer('http://localhost:5173/index.html', 'http://localhost:5173')).toBe(true);
    expect(isOwnRenderer('http://localhost:5173.evil.example/index.html', 'http://localhost:5173')).toBe(false);
    expect(isSafeExternalUrl('https://example.com/')).toBe(true);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
  });
});
