import type { Page } from 'playwright-core';

export interface WhipPublishOptions {
  /** The WHIP endpoint, e.g. `${url}/whip/<slug>`; the page must be on the server's origin. */
  endpoint: string;
  key: string;
  /** Three simulcast layers on the video, as a browser encoder may offer; OBS sends one. */
  simulcast?: boolean;
  /** Video codec to offer first (`video/VP8`, `video/H264`); the browser's order otherwise. */
  videoCodec?: string;
}

export interface WhipPublishResult {
  status: number;
  location: string | null;
  contentType: string | null;
}

/**
 * Makes `page` a WHIP encoder, as OBS is: fake microphone and camera, one sendonly transceiver each
 * (bundled), the offer POSTed with the bearer key, the answer applied. Resolves once the answer is applied
 * (or the POST was refused); `whipConnectionState` tells how the connection goes on.
 */
export async function publishOverWhip(page: Page, options: WhipPublishOptions): Promise<WhipPublishResult> {
  return page.evaluate(async ({ endpoint, key, simulcast, videoCodec }) => {
    // Three layers need a picture large enough for Chromium to send them all.
    const size = simulcast ? { width: 1280, height: 720 } : { width: 640, height: 360 };
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: size });
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    for (const track of stream.getTracks()) {
      const sendEncodings =
        track.kind === 'video' && simulcast
          ? [
              { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
              { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
              { rid: 'f', maxBitrate: 1_200_000 },
            ]
          : undefined;
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], ...(sendEncodings ? { sendEncodings } : {}) });
      if (track.kind === 'video' && videoCodec) {
        const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
        const wanted = codecs.filter((c) => c.mimeType.toLowerCase() === videoCodec.toLowerCase());
        transceiver.setCodecPreferences([...wanted, ...codecs.filter((c) => !wanted.includes(c))]);
      }
    }
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` },
      body: pc.localDescription!.sdp,
    });
    const result = { status: response.status, location: response.headers.get('Location'), contentType: response.headers.get('Content-Type') };
    if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    else pc.close();
    (window as unknown as { __whip?: RTCPeerConnection }).__whip = pc;
    return result;
  }, { simulcast: false, videoCodec: undefined, ...options });
}

/** The WHIP page's peer connection state (`connected` once ICE and DTLS are up). */
export function whipConnectionState(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __whip?: RTCPeerConnection }).__whip?.connectionState ?? 'none');
}

/** Bytes the WHIP page has sent, per kind, and the simulcast layers (rids) it sends. */
export function whipSent(page: Page): Promise<{ audioBytes: number; videoBytes: number; rids: string[] }> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __whip?: RTCPeerConnection }).__whip;
    const sent = { audioBytes: 0, videoBytes: 0, rids: [] as string[] };
    if (!pc) return sent;
    (await pc.getStats()).forEach((s: { type: string; kind?: string; bytesSent?: number; rid?: string }) => {
      if (s.type !== 'outbound-rtp') return;
      if (s.kind === 'audio') sent.audioBytes += s.bytesSent ?? 0;
      if (s.kind === 'video') {
        sent.videoBytes += s.bytesSent ?? 0;
        if (s.rid) sent.rids.push(s.rid);
      }
    });
    return sent;
  });
}
