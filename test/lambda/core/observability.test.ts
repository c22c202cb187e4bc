import type { Logger } from '@aws-lambda-powertools/logger';
import {
  PowertoolsEngineLogger,
  PowertoolsEngineMetrics,
} from '../../../lambda/core/adapters/powertools-observability';

describe('observability', () => {
  it('redacts fields named like key material before they reach the log', () => {
    const lines: unknown[][] = [];
    const fake = {
      info: (...args: unknown[]) => lines.push(args),
      warn: () => undefined,
      error: () => undefined,
      debug: () => undefined,
    } as unknown as Logger;
    new PowertoolsEngineLogger('svc', fake).info('minted', {
      token: 'eyJsecret',
      authKey: 'k',
      accountId: 'acc-1',
      secretArn: 'arn',
    });
    expect(lines).toEqual([
      ['minted', { token: '[redacted]', authKey: '[redacted]', accountId: 'acc-1', secretArn: '[redacted]' }],
    ]);
  });

  it('writes counts as one EMF line with the namespace and the service dimension', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const metrics = new PowertoolsEngineMetrics({
        metricsNamespace: 'ConcurrencyTracker',
        serviceName: 'token-vending',
      });
      metrics.count('AdmissionsGranted');
      metrics.count('AdmissionsGranted');
      metrics.count('TokensMinted');
      metrics.flush();
      metrics.flush(); // nothing buffered: nothing written
    } finally {
      spy.mockRestore();
    }
    const emf = written.map((line) => JSON.parse(line)).filter((entry) => entry._aws);
    expect(emf).toHaveLength(1);
    // Repeated counts travel as a list of values; CloudWatch sums them.
    expect(emf[0]).toMatchObject({ service: 'token-vending', AdmissionsGranted: [1, 1], TokensMinted: 1 });
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'ConcurrencyTracker',
      Dimensions: [['service']],
    });
  });
});
