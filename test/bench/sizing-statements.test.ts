import * as fs from 'node:fs';
import * as path from 'node:path';

// The README, docs/construct.md and docs/operations.md say at how many devices Momento's default
// limits are reached. Those figures must follow from docs/capacity.md (written by `npm run bench`),
// so a new capacity model that changes them fails here instead of leaving the docs behind.

const ROOT = path.join(__dirname, '..', '..');
/** A document with its line breaks folded, so a statement may wrap. */
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
const CAPACITY = fs.readFileSync(path.join(ROOT, 'docs', 'capacity.md'), 'utf8');

/** Momento's default limits, as capacity.md cites them in its sources. */
function defaultLimit(pattern: RegExp): number {
  const match = pattern.exec(CAPACITY);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

/** The 10,000-device column of a row of capacity.md's "Deployments" table. */
function tenThousandColumn(rowStart: string): number {
  const row = CAPACITY.split('\n').find((line) => line.startsWith(`| ${rowStart}`));
  expect(row).toBeDefined();
  return Number(row!.split('|')[2].trim().replace(/,/g, ''));
}

const DOCS = ['README.md', 'docs/construct.md', 'docs/operations.md'];

describe('sizing statements follow docs/capacity.md', () => {
  const devices = 10_000;

  test("capacity.md's first column is 10,000 devices at the default 10 s interval", () => {
    expect(CAPACITY).toContain('| | 10,000 devices |');
    expect(CAPACITY).toContain('| heartbeat interval / lease | 10 s / 30 s |');
  });

  test('the device count at which the default topic-operations limit is reached', () => {
    const limit = defaultLimit(/Topics: (\d+) operations per second per region/);
    const perDevice = tenThousandColumn('topic operations/s') / devices;
    const reachedAt = Math.floor(limit / perDevice);
    for (const doc of DOCS)
      expect({
        doc,
        says:
          read(doc).includes(`topic operations at about ${reachedAt}`) ||
          read(doc).includes(`topic-operations limit is reached at about ${reachedAt} devices`),
      }).toEqual({ doc, says: true });
  });

  test('the device count at which the default subscription limit is reached', () => {
    const limit = defaultLimit(/Topics: (\d+) concurrent subscriptions per region/);
    const subscribers = tenThousandColumn('concurrent topic subscriptions') - devices;
    const reachedAt = limit - subscribers;
    for (const doc of DOCS)
      expect({ doc, says: read(doc).includes(`subscriptions at about ${reachedAt}`) }).toEqual({ doc, says: true });
  });

  test('the device count up to which token reuse keeps auth within its hard limit (1 h tokens)', () => {
    const limit = defaultLimit(/Auth: (\d+) operations per second per Momento account/);
    const perDevice = tenThousandColumn('auth operations/s with token reuse') / devices;
    const reachedAt = Math.round(limit / perDevice / 1000) * 1000;
    const said = `about ${reachedAt.toLocaleString('en-US')} devices with 1 h tokens`;
    for (const doc of ['README.md', 'docs/operations.md'])
      expect({ doc, says: read(doc).includes(said) }).toEqual({ doc, says: true });
  });

  test('no document still says the limits hold for a few hundred devices', () => {
    for (const doc of DOCS) expect(read(doc)).not.toMatch(/few hundred devices/);
  });
});
