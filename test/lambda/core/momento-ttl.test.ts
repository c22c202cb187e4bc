import { MOMENTO_MAX_TTL_SECONDS, wholeSeconds } from '../../../lambda/core/adapters/momento-cache';
import { indexTtlSeconds, sessionRecordTtlSeconds } from '../../../lambda/core/engine/session-lifecycle';
import { testConfig } from './support/engine-config';

describe('TTLs sent to Momento', () => {
  it('are whole seconds, rounded up, as the SDK requires', () => {
    expect(wholeSeconds(3239.738)).toBe(3240);
    expect(wholeSeconds(0.2)).toBe(1);
    expect(wholeSeconds(30)).toBe(30);
  });

  it('never exceed Momento’s 24-hour item limit, even where the engine asks for longer', () => {
    const longTokens = testConfig({ TOKEN_TTL_SECONDS: String(25 * 3600) });
    expect(indexTtlSeconds(longTokens)).toBeGreaterThan(MOMENTO_MAX_TTL_SECONDS);
    expect(sessionRecordTtlSeconds(longTokens)).toBeGreaterThan(MOMENTO_MAX_TTL_SECONDS);
    expect(wholeSeconds(indexTtlSeconds(longTokens))).toBe(86_400);
    expect(wholeSeconds(sessionRecordTtlSeconds(longTokens))).toBe(86_400);
  });
});
