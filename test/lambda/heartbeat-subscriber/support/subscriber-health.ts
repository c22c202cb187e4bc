import { request } from 'node:http';

/**
 * `GET /health` on a heartbeat subscriber's health port: the status code and the JSON body. Rejects
 * when nothing answers, or (with `timeoutMs`) when no answer has come within that long.
 */
export function getHealth(
  port: number,
  timeoutMs?: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', method: 'GET', timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from /health within ${timeoutMs} ms`)));
    req.end();
  });
}
