import { Video } from '@vonage/video';

/**
 * What the room logic asks of Vonage, behind a small interface so the policy code does not depend
 * on the SDK. The implementation below uses the official `@vonage/video` SDK; its `videoHost`
 * option points it at any base URL, which is how the tests aim it at a local stand-in server.
 */
export interface VonageEnforcement {
  /** Creates a routed Vonage session for a new room; returns its session id. */
  createSession(): Promise<string>;
  /** Forces a connection out of its session (`forceDisconnect`). Gone already is success. */
  disconnect(sessionId: string, connectionId: string): Promise<void>;
  /**
   * Stops a stream the publisher's role may not publish. Vonage's REST API has no force-unpublish
   * (only OpenTok.js moderators have `forceUnpublish`); the server-side equivalent is to tell the
   * client why with a signal, then disconnect the connection that publishes the stream.
   */
  stopStream(sessionId: string, streamId: string, connectionId: string, reason: string): Promise<void>;
  /** A client token signed locally with the application's private key. */
  clientToken(sessionId: string, options: ClientTokenRequest): string;
}

export interface ClientTokenRequest {
  /** Vonage role: `publisher` or `subscriber` (never `moderator`: moderators could unseat others). */
  readonly role: 'publisher' | 'subscriber';
  /** Token data, echoed in every callback about the connection. */
  readonly data: string;
  /** Absolute expiry, epoch seconds. */
  readonly expireTime: number;
}

/** Signal type the client receives before a policy disconnect. */
export const POLICY_SIGNAL_TYPE = 'policy';

export interface VonageVideoOptions {
  readonly applicationId: string;
  /** PEM private key of the Vonage application. */
  readonly privateKey: string;
  /** Base URL of the Video REST API; set only for local runs and tests. */
  readonly videoHost?: string;
  /** Time bound for each REST call, so a slow Vonage cannot stall a callback answer. */
  readonly timeoutMs?: number;
}

export function vonageVideoEnforcement(options: VonageVideoOptions): VonageEnforcement {
  const video = new Video(
    { applicationId: options.applicationId, privateKey: options.privateKey },
    { ...(options.videoHost ? { videoHost: options.videoHost } : {}), timeout: options.timeoutMs ?? 3000 },
  );
  return {
    async createSession() {
      const session = await video.createSession({});
      return session.sessionId;
    },
    async disconnect(sessionId, connectionId) {
      try {
        await video.disconnectClient(sessionId, connectionId);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async stopStream(sessionId, streamId, connectionId, reason) {
      try {
        await video.sendSignal(
          { type: POLICY_SIGNAL_TYPE, data: JSON.stringify({ action: 'unpublish', streamId, reason }) },
          sessionId,
          connectionId,
        );
      } catch (error) {
        // The signal is a courtesy; the disconnect below is the enforcement.
        if (!isNotFound(error)) throw error;
      }
      await this.disconnect(sessionId, connectionId);
    },
    clientToken(sessionId, request) {
      return video.generateClientToken(sessionId, {
        role: request.role,
        data: request.data,
        expireTime: request.expireTime,
      });
    },
  };
}

/** A 404 from Vonage: the connection or session is already gone. */
function isNotFound(error: unknown): boolean {
  const status = (error as { response?: { status?: number } } | undefined)?.response?.status;
  return status === 404;
}
