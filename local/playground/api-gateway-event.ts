import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** One request as the local server received it, after routing. */
export interface LocalRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/accounts/a-1/sessions`. */
  readonly path: string;
  /** The route template, as API Gateway names it: `/accounts/{accountId}/sessions`. */
  readonly resource: string;
  readonly pathParameters: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw body text; undefined when the request had none. */
  readonly body: string | undefined;
}

/** Stands in for the IAM caller API Gateway would put in `requestContext.identity`. */
const PLAYGROUND_CALLER_ARN = 'arn:aws:iam::000000000000:role/playground-backend';

/**
 * Builds the proxy event API Gateway would hand the Lambda for an IAM-authorised call, so the
 * handlers run unchanged: the account comes from the body or path exactly as under IAM.
 */
export function toApiGatewayEvent(request: LocalRequest): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of request.query) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const requestId = randomUUID();
  const now = Date.now();
  return {
    resource: request.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length > 0 ? multiQuery : null,
    pathParameters: Object.keys(request.pathParameters).length > 0 ? { ...request.pathParameters } : null,
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'playground',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: '000000000000',
        apiKey: null,
        apiKeyId: null,
        caller: 'playground-backend',
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: 'playground-backend',
        userAgent: headers['user-agent'] ?? null,
        userArn: PLAYGROUND_CALLER_ARN,
      },
      path: request.path,
      stage: 'local',
      requestId,
      requestTimeEpoch: now,
      resourceId: 'playground',
      resourcePath: request.resource,
    },
  };
}

/** The status, headers and body a handler's proxy result asks for. */
export function fromApiGatewayResult(result: APIGatewayProxyResult): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = values.map(String).join(', ');
  headers['content-type'] ??= 'application/json';
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { status: result.statusCode, headers, body };
}
