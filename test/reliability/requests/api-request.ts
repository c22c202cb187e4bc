import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toApiGatewayEvent as playgroundEvent } from '../../../local/playground/api-gateway-event';

/** Who calls the API, as API Gateway tells the Lambda. */
export type Caller =
  /** Signed with SigV4 (IAM authorisation): a trusted backend. */
  | { readonly kind: 'iam'; readonly userArn: string }
  /** A Cognito user pool authoriser: verified claims under `authorizer.claims`. */
  | { readonly kind: 'cognito'; readonly claims: Readonly<Record<string, unknown>> }
  /** A JWT Lambda authoriser: the verified claim copied to the authoriser context under its own name. */
  | { readonly kind: 'lambda-authorizer'; readonly context: Readonly<Record<string, unknown>> }
  /** Nothing: no signature and no authoriser. */
  | { readonly kind: 'anonymous' };

/** One HTTP request in the terms of the REST API (resource template plus concrete values). */
export interface ApiRequest {
  readonly method: string;
  /** The API Gateway resource, e.g. `/accounts/{accountId}/sessions`. */
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly queryStringParameters: Readonly<Record<string, string>> | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body as API Gateway passes it (never parsed here, so bad JSON stays bad). */
  readonly body: string | null;
  readonly caller: Caller;
}

/** The concrete path of a request: the resource with its parameters filled in, encoded as a client would. */
export function concretePath(request: ApiRequest): string {
  return request.resource.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(request.pathParameters?.[name] ?? ''),
  );
}

/**
 * The API Gateway proxy event a Lambda behind the REST API receives for `request`. Only the fields
 * a handler can read are filled; the rest are plausible constants.
 */
export function toApiGatewayEvent(request: ApiRequest, requestId: string): APIGatewayProxyEvent {
  const { caller } = request;
  const path = concretePath(request);
  // The playground's event (the local API server's) with this request's caller and stage.
  const event = playgroundEvent({
    method: request.method,
    path,
    resource: request.resource,
    pathParameters: { ...request.pathParameters },
    query: new URLSearchParams({ ...request.queryStringParameters }),
    headers: { ...request.headers },
    body: request.body ?? undefined,
  });
  const authorizer =
    caller.kind === 'cognito'
      ? { claims: caller.claims }
      : caller.kind === 'lambda-authorizer'
        ? { ...caller.context }
        : undefined;
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      accountId: '123456789012',
      apiId: 'reliability',
      authorizer: authorizer as APIGatewayProxyEvent['requestContext']['authorizer'],
      identity: {
        ...event.requestContext.identity,
        accountId: caller.kind === 'iam' ? '123456789012' : null,
        caller: caller.kind === 'iam' ? 'AROAEXAMPLE:backend' : null,
        sourceIp: '203.0.113.9',
        user: caller.kind === 'iam' ? 'AROAEXAMPLE:backend' : null,
        userAgent: 'reliability-suite',
        userArn: caller.kind === 'iam' ? caller.userArn : null,
      },
      path: `/prod${path}`,
      requestId,
      resourceId: 'reliability',
      stage: 'prod',
    },
  };
}
