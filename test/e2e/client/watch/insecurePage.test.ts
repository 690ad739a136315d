import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { readPlayer } from '../../../helpers/watchPage';

/**
 * This machine's own non-loopback IPv4 address: Chromium treats 127.0.0.1 and localhost as secure, so
 * only another address over plain http makes the page an insecure context, as an organizer testing from
 * a second device sees it.
 */
function ownAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((info) => info !== undefined && info.family === 'IPv4' && !info.internal);
  if (address === undefined) throw new Error('this machine has no non-loopback IPv4 address to test over');
  return address.address;
}

const test = withServerAndBrowser({ env: { HOST: '0.0.0.0' } });
let slug: string;

beforeAll(async () => {
  ({ slug } = await test.broadcast('Plain http rally'));
});

describe('a watch page opened over plain http from another address', () => {
  it('goes to HLS without creating any WebRTC connection and says the fast connection needs https://', async () => {
    const page = await test.browser.newPage();
    // Counts the peer connections the page makes: mediasoup-client's receive transport would be one.
    await page.addInitScript(() => {
      const counted = window as unknown as { peerConnections: number };
      counted.peerConnections = 0;
      const Native = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Native {
        constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
          super(...args);
          counted.peerConnections += 1;
        }
      };
    });
    const paths: Array<string | null> = [];
    await page.goto(`http://${ownAddress()}:${new URL(test.url).port}/e/${slug}`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const view = await waitFor(
      async () => {
        const current = await readPlayer(page);
        paths.push(current.path);
        return current;
      },
      (v) => v.path === 'hls' && v.connection === 'connected',
    );
    expect(view.path).toBe('hls');
    expect(paths).not.toContain('webrtc');
    expect(await page.evaluate(() => (window as unknown as { peerConnections: number }).peerConnections)).toBe(0);
    const notice = page.getByTestId('delivery-path');
    expect(await notice.getAttribute('data-reason')).toBe('insecure page');
    expect(await notice.textContent()).toContain('needs a secure (https://) page');
  });
});
