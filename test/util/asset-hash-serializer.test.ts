import * as serializer from './asset-hash-serializer';

// The README's "Testing your stack" points users to this serializer for their snapshots.

const HASH = '0123456789abcdef'.repeat(4);

test('replaces every asset hash, alone or in a file name, and leaves other strings to Jest', () => {
  expect(serializer.test(HASH)).toBe(true);
  expect(serializer.test(`${HASH}.zip`)).toBe(true);
  expect(serializer.test('no hash here')).toBe(false);
  expect(serializer.test(HASH.slice(1))).toBe(false);
  expect(serializer.test(42)).toBe(false);
  const print = (value: unknown) => String(value);
  expect(serializer.serialize(`s3://bucket/${HASH}.zip and ${HASH}`, {}, '', 0, [], print)).toBe('s3://bucket/[ASSET_HASH].zip and [ASSET_HASH]');
});
