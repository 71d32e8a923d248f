// One Content-Security-Policy for both hosts. The renderer loads only its own bundled
// code; audio/blob URLs are allowed for playback; the web host's WebSocket is on
// loopback ('self' covers ws: on the same host:port in current Chromium; listed
// explicitly for older engines).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Links the app may hand to the OS browser: http(s) only. */
export function isSafeExternalUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Is this web contents showing our own renderer (and nothing it navigated to)? */
export function isOwnRenderer(url: string, devUrl = process.env['ELECTRON_RENDERER_URL']): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // the dev server's own origin, or our file itself (not any file with those words in its query or hash)
  if (devUrl && u.origin === new URL(devUrl).origin) return true;
  return u.protocol === 'file:' && u.pathname.endsWith('/renderer/index.html');
}
