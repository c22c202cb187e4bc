import { parseVonageConfig } from '../../../lambda/vonage/vonage-config';

describe('parseVonageConfig', () => {
  const base = { VONAGE_APPLICATION_ID: 'app-1' };

  it('takes the account limit from DEFAULT_LIMIT when VONAGE_ACCOUNT_LIMIT is unset or blank', () => {
    expect(parseVonageConfig(base, 3).accountLimit).toBe(3);
    expect(parseVonageConfig({ ...base, VONAGE_ACCOUNT_LIMIT: ' ' }, 3).accountLimit).toBe(3);
    expect(parseVonageConfig({ ...base, VONAGE_ACCOUNT_LIMIT: '0' }, 3).accountLimit).toBe(0);
  });

  it('fills the documented defaults of the timings', () => {
    expect(parseVonageConfig(base, 3)).toMatchObject({
      reservationSeconds: 120,
      seatSeconds: 86400,
      tokenTtlSeconds: 3600,
    });
  });

  it.each([
    ['VONAGE_ACCOUNT_LIMIT', '101', 'VONAGE_ACCOUNT_LIMIT must be a whole number from 0 to 100, got "101"'],
    ['VONAGE_ACCOUNT_LIMIT', '1.5', 'VONAGE_ACCOUNT_LIMIT must be a whole number from 0 to 100, got "1.5"'],
    ['VONAGE_RESERVATION_SECONDS', '4', 'VONAGE_RESERVATION_SECONDS must be a whole number from 5 to 3600, got "4"'],
    [
      'VONAGE_TOKEN_TTL_SECONDS',
      '2592001',
      'VONAGE_TOKEN_TTL_SECONDS must be a whole number from 60 to 2592000, got "2592001"',
    ],
  ])('refuses %s=%s, naming the variable and its bounds', (name, value, message) => {
    expect(() => parseVonageConfig({ ...base, [name]: value }, 3)).toThrow(`Invalid Vonage configuration: ${message}`);
  });

  it('requires the application id', () => {
    expect(() => parseVonageConfig({}, 3)).toThrow('VONAGE_APPLICATION_ID');
  });
});
