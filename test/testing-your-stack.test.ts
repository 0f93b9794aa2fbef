import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  AuditCheck, AuditMitigation, AuditSuppression, AuditSuppressionResource, MitigationAction, MitigationActionParams,
} from '../src';

// The README's "Testing your stack" example, verbatim between the markers (a test below checks it),
// run here with Jest: what it tells users to assert holds.

function readmeTestingExample(): void {
  // README example begins
  const stack = new Stack(new App(), 'Test');
  const deactivate = new MitigationAction(stack, 'Deactivate', {
    mitigationActionName: 'deactivate-certificate',
    actionParams: MitigationActionParams.updateDeviceCertificate(),
  });
  const mitigation = new AuditMitigation(stack, 'Mitigation', {
    dryRun: true,
    rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }],
  });

  // What the handler will do (an action's name is a token: compare it with mitigationActionName).
  expect(mitigation.dryRun).toBe(true);
  expect(mitigation.maxFindingsPerCheck).toBe(100);
  expect(mitigation.rules).toEqual({ DEVICE_CERTIFICATE_SHARED_CHECK: [deactivate.mitigationActionName] });

  // What CloudFormation will get.
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::IoT::MitigationAction', {
    ActionName: 'deactivate-certificate',
    ActionParams: { UpdateDeviceCertificateParams: { Action: 'DEACTIVATE' } },
  });

  // An expiration in the past fails synthesis: in tests, compute it from now...
  const DAY = 24 * 60 * 60 * 1000;
  const suppression = new AuditSuppression(stack, 'LabCertificate', {
    check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
    resource: AuditSuppressionResource.deviceCertificate('a'.repeat(64)),
    expiration: new Date(Date.now() + 90 * DAY),
  });
  // ...and in your stack's test, fail a month ahead, to renew or drop it in time.
  expect(suppression.expiration!.getTime()).toBeGreaterThan(Date.now() + 30 * DAY);
  // README example ends
}

/** The lines of `text` between `begin` and `end`, trimmed, without blank lines. */
function codeLines(text: string, begin: string, end: string): string[] {
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from + begin.length);
  expect(from).toBeGreaterThanOrEqual(0);
  expect(to).toBeGreaterThan(from);
  return text.slice(from + begin.length, to).split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

describe('the README\'s "Testing your stack"', () => {
  test('its example is readmeTestingExample, verbatim, compiled by jsii-rosetta with the testing fixture', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing your stack'));
    expect(section).toMatch(/^## Testing your stack\n/);
    const example = codeLines(section, '```ts fixture=testing\n', '```\n');
    const source = codeLines(readFileSync(__filename, 'utf8'), '// README example begins\n', '// README example ends');
    expect(example).toEqual(source);
  });

  test('its assertions hold', () => {
    expect(readmeTestingExample).not.toThrow();
  });
});
