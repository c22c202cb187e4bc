import { status, type ServerUnaryCall, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';
import { token } from '@gomomento/generated-types';
import { isStatusError, statusError } from '../status-error';
import { scopeFromProto, UnsupportedScopeError } from './permissions';
import type { TokenAuthority } from './token-authority';
import type { TokenGuard } from './token-guard';

const pb = token.token;
type MintCall = ServerUnaryCall<
  InstanceType<typeof pb._GenerateDisposableTokenRequest>,
  InstanceType<typeof pb._GenerateDisposableTokenResponse>
>;

/**
 * Momento's `Token` service: `GenerateDisposableToken` mints a token this emulator signs and later
 * verifies. `endpoint` is what the token names as its base endpoint.
 */
export function createTokenService(
  authority: TokenAuthority,
  guard: TokenGuard,
  endpoint: () => string,
): UntypedServiceImplementation {
  return {
    GenerateDisposableToken(
      call: MintCall,
      callback: sendUnaryData<InstanceType<typeof pb._GenerateDisposableTokenResponse>>,
    ): void {
      try {
        const request = call.request;
        guard.authorizeMinting(request.auth_token);
        const validFor = request.has_expires ? request.expires.valid_for_seconds : 0;
        if (!Number.isInteger(validFor) || validFor <= 0) {
          throw statusError(
            status.INVALID_ARGUMENT,
            'disposable tokens must expire: valid_for_seconds must be positive',
          );
        }
        if (!request.has_permissions) throw statusError(status.INVALID_ARGUMENT, 'permissions are required');
        const scope = scopeFromProto(request.permissions);
        const minted = authority.mintApiKey({ scope, tokenId: request.token_id, validForSeconds: validFor });
        callback(
          null,
          new pb._GenerateDisposableTokenResponse({
            api_key: minted.apiKey,
            endpoint: endpoint(),
            valid_until: minted.validUntil ?? 0,
          }),
        );
      } catch (error) {
        if (error instanceof UnsupportedScopeError) callback(statusError(status.INVALID_ARGUMENT, error.message));
        else callback(isStatusError(error) ? error : statusError(status.INTERNAL, `emulator error: ${String(error)}`));
      }
    },
  };
}
