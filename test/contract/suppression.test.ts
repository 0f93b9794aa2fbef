import { parseSuppressionDescription } from '../../src/contract/suppression';
import { marked, STACK_ID } from '../handlers/suppression-harness';

describe('the ownership marker (pure)', () => {
  test('the marker: printable ASCII, after one space; parsed back, whatever the user wrote', () => {
    for (const text of ['', 'why', 'ends with a space ', 'looks like [cdk-device-defender:arn:x/Y]']) {
      const description = marked(text, 'L', { pending: true });
      expect(description).toMatch(/^[\x20-\x7E]+$/);
      expect(parseSuppressionDescription(description)).toEqual({ text, owner: { stackId: STACK_ID, logicalResourceId: 'L', pending: true } });
    }
    expect(marked('why', 'L')).toBe(`why [cdk-device-defender:${STACK_ID}/L]`);
    expect(parseSuppressionDescription('why [cdk-device-defender:not-an-arn/L]')).toEqual({ text: 'why [cdk-device-defender:not-an-arn/L]' });
    expect(parseSuppressionDescription(undefined)).toEqual({ text: '' });
  });
});
