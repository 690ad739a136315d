import type { types } from 'mediasoup-client';
import type { MediaResponse } from '../../../shared/signalling';
import type { MediaSignalling } from './MediaSignalling';

/** mediasoup-client is fetched on demand so that a page with nothing to play or publish stays small. */
export async function loadDevice(routerRtpCapabilities: types.RtpCapabilities): Promise<types.Device> {
  const { Device } = await import('mediasoup-client');
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities });
  return device;
}

/** Wraps the server-side transport in a local one whose DTLS handshake is relayed through signalling. */
export function createTransport(
  device: types.Device,
  signalling: MediaSignalling,
  direction: 'send' | 'recv',
  params: MediaResponse<'createTransport'>,
): types.Transport {
  // The shared schema only checks these are objects; mediasoup-client validates them deeply itself.
  const options: types.TransportOptions = {
    id: params.id,
    iceParameters: params.iceParameters as types.IceParameters,
    iceCandidates: params.iceCandidates as types.IceCandidate[],
    dtlsParameters: params.dtlsParameters as types.DtlsParameters,
  };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signalling
      .request('connectTransport', { transportId: transport.id, dtlsParameters })
      .then(() => callback(), errback);
  });
  return transport;
}
