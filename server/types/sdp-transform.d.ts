/**
 * The part of sdp-transform (a plain-JS package without types of its own) that the WHIP ingest uses.
 * Numbers are what sdp-transform turns digit-only fields into (so `mid: 0` as well as `mid: 'audio'`).
 */
declare module 'sdp-transform' {
  export interface MediaAttributes {
    type: string;
    port: number;
    protocol: string;
    payloads?: string | number;
    mid?: string | number;
    direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
    connection?: { version: number; ip: string };
    rtp: { payload: number; codec: string; rate?: number; encoding?: number }[];
    fmtp: { payload: number; config: string }[];
    rtcpFb?: { payload: number | string; type: string; subtype?: string }[];
    ext?: { value: number; direction?: string; uri: string; config?: string }[];
    iceUfrag?: string;
    icePwd?: string;
    fingerprint?: { type: string; hash: string };
    setup?: string;
    candidates?: {
      foundation: string | number;
      component: number;
      transport: string;
      priority: number;
      ip: string;
      port: number;
      type: string;
      tcptype?: string;
    }[];
    endOfCandidates?: string;
    iceOptions?: string;
    ssrcs?: { id: number | string; attribute: string; value?: string }[];
    ssrcGroups?: { semantics: string; ssrcs: string }[];
    rtcpMux?: string;
    rtcpRsize?: string;
    rids?: { id: string | number; direction: string; params?: string }[];
    simulcast?: { dir1: string; list1: string; dir2?: string; list2?: string };
  }

  export interface SessionDescription {
    version?: number;
    origin?: { username: string; sessionId: string | number; sessionVersion: number; netType: string; ipVer: number; address: string };
    name?: string;
    timing?: { start: number; stop: number };
    connection?: { version: number; ip: string };
    icelite?: string;
    iceUfrag?: string;
    icePwd?: string;
    fingerprint?: { type: string; hash: string };
    setup?: string;
    groups?: { type: string; mids: string | number }[];
    msidSemantic?: { semantic: string; token: string };
    media: MediaAttributes[];
  }

  export function parse(sdp: string): SessionDescription;
  export function write(session: SessionDescription): string;
  export function parseParams(config: string): Record<string, string | number>;
}
