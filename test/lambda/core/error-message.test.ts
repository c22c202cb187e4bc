import { errorMessage, errorNameAndMessage } from '../../../lambda/core/error-message';

describe('errorMessage', () => {
  test("an Error's message, with its name on request; anything else as a string", () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorNameAndMessage(new TypeError('bad'))).toBe('TypeError: bad');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorNameAndMessage(42)).toBe('42');
  });
});
