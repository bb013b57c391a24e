// Animated QR codes for approvals: each second the QR points at the approval page with a fresh
// time-bound code, HMAC(secret, id.time). A photo of an old frame stops working after WINDOW seconds.
import crypto from 'node:crypto';

export const QR_WINDOW_SECONDS = 30;

export function createQrFrames(issuer: string, secret: string) {
  const key = crypto.createHash('sha256').update(`qr:${secret}`).digest();
  const code = (id: string, t: number) => crypto.createHmac('sha256', key).update(`${id}.${t}`).digest('base64url').slice(0, 16);

  return {
    /** the URL the QR code shows at this second */
    frame(id: string, now = Math.floor(Date.now() / 1000)): string {
      return `${issuer}/approve/${encodeURIComponent(id)}?t=${now}&c=${code(id, now)}`;
    },
    /** whether a scanned URL's t/c are genuine and fresh */
    check(id: string, t: string | undefined, c: string | undefined, now = Math.floor(Date.now() / 1000)): 'ok' | 'stale' | 'invalid' {
      const time = Number(t);
      if (!Number.isInteger(time) || typeof c !== 'string') return 'invalid';
      const expected = Buffer.from(code(id, time));
      const given = Buffer.from(c);
      if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return 'invalid';
      return now - time <= QR_WINDOW_SECONDS && time <= now + 5 ? 'ok' : 'stale';
    },
  };
}

export type QrFrames = ReturnType<typeof createQrFrames>;
