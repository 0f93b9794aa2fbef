/**
 * The `suppressions`, `suppress` and `unsuppress` commands (src/cli/suppressions.ts).
 */
import { CreateAuditSuppressionCommand, ListAuditFindingsCommand } from '@aws-sdk/client-iot';
import { AUDIT, BLANK_POLICY_CHECK, CERT, cli, e, inTerminal, iot, useCliEmulator } from './harness';
import { withSuppressionMarker } from '../../src/contract/suppression';

useCliEmulator();

describe('suppressions, suppress and unsuppress', () => {
  const UNTIL = '2099-01-01';
  const suppressionsNow = () => e.auditSuppressions().map(({ checkName, resourceIdentifier, suppressIndefinitely, description }) =>
    ({ checkName, resourceIdentifier, suppressIndefinitely, description }));
  const certKey = { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', resourceIdentifier: { deviceCertificateId: CERT } };

  test('suppress reads the finding\'s check and resource and suppresses them; suppressions lists them with their expiry', async () => {
    const result = await cli('suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab rigs share one certificate', '--yes');
    expect(result.code).toBe(0);
    expect(result.out).toBe(`suppressed DEVICE_CERTIFICATE_SHARED_CHECK findings for deviceCertificateId ${CERT} until 2099-01-01T00:00:00.000Z `
      + '(finding finding-cert): "lab rigs share one certificate"');
    expect(e.auditSuppressions()).toEqual([expect.objectContaining({
      ...certKey, expirationDate: new Date('2099-01-01T00:00:00Z'), suppressIndefinitely: false, description: 'lab rigs share one certificate',
    })]);
    expect((await cli('suppress', 'finding-policy', '--indefinitely', '--reason', 'reviewed', '--yes')).code).toBe(0);
    // The finding is suppressed now: AWS IoT lists it apart, and mitigation skips it.
    expect((await iot.send(new ListAuditFindingsCommand({ taskId: AUDIT, listSuppressedFindings: false }))).findings).toEqual([]);

    const listed = await cli('suppressions');
    expect(listed.code).toBe(0);
    expect(listed.out.split('\n')).toEqual([
      expect.stringMatching(/^CHECK\s+RESOURCE\s+EXPIRES\s+DESCRIPTION$/),
      expect.stringMatching(/^-+/),
      expect.stringMatching(new RegExp(`^DEVICE_CERTIFICATE_SHARED_CHECK\\s+deviceCertificateId ${CERT}\\s+2099-01-01T00:00:00.000Z\\s+lab rigs share one certificate$`)),
      expect.stringMatching(/^IOT_POLICY_OVERLY_PERMISSIVE_CHECK\s+policy wide-open v1\s+indefinitely\s+reviewed$/),
    ]);
    expect((await cli('suppressions', '--json')).json()).toEqual([
      expect.objectContaining({ ...certKey, expiry: '2099-01-01T00:00:00.000Z', description: 'lab rigs share one certificate' }),
      expect.objectContaining({ checkName: BLANK_POLICY_CHECK, expiry: 'indefinitely', description: 'reviewed' }),
    ]);
  });

  test('a suppression an AuditSuppression manages is listed with its author\'s text and the stack and logical id of its marker', async () => {
    const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Prod/0f0e0d0c-1111-2222-3333-444455556666';
    await iot.send(new CreateAuditSuppressionCommand({
      ...certKey,
      suppressIndefinitely: true,
      clientRequestToken: 'stack',
      description: withSuppressionMarker('lab rigs', { stackId, logicalResourceId: 'LabCertificate5F1EA615', pending: false }),
    }));
    const listed = await cli('suppressions');
    expect(listed.out.split('\n')[2]).toMatch(new RegExp(`^DEVICE_CERTIFICATE_SHARED_CHECK\\s+deviceCertificateId ${CERT}\\s+indefinitely\\s+`
      + 'lab rigs \\[stack Prod: LabCertificate5F1EA615\\]$'));
    expect((await cli('suppressions', '--json')).json()).toEqual([expect.objectContaining({
      ...certKey, description: 'lab rigs', managedBy: { stackId, logicalResourceId: 'LabCertificate5F1EA615', pending: false },
    })]);
  });

  test('unsuppress deletes the suppression of the finding\'s check and resource; with none, it says so and writes nothing', async () => {
    await cli('suppress', 'finding-cert', '--indefinitely', '--reason', 'lab', '--yes');
    const result = await cli('unsuppress', 'finding-cert', '--yes');
    expect(result.code).toBe(0);
    expect(result.out).toBe(`deleted the suppression of DEVICE_CERTIFICATE_SHARED_CHECK for deviceCertificateId ${CERT}`);
    expect(e.auditSuppressions()).toEqual([]);
    const again = await cli('unsuppress', 'finding-cert', '--yes');
    expect(again).toMatchObject({ code: 0, out: expect.stringMatching(/^no suppression of DEVICE_CERTIFICATE_SHARED_CHECK .*nothing to delete$/) });
    expect(e.requestsFor('DeleteAuditSuppression')).toHaveLength(1);
    expect((await cli('suppressions')).out).toBe('no audit finding suppression');
  });

  test('suppress and unsuppress follow the rule of undo: the plan, a question in a terminal, exit 2 elsewhere without --yes', async () => {
    const script = await cli('suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab');
    expect(script.code).toBe(2);
    expect(script.out).toMatch(/^would suppress DEVICE_CERTIFICATE_SHARED_CHECK findings for deviceCertificateId c+ until 2099-01-01/);
    expect(script.err).toMatch(/not a terminal: re-run with --yes to apply \(nothing was changed\)/);
    const no = await inTerminal('no', 'suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab');
    expect(no).toMatchObject({ code: 1, questions: ['Create this suppression?'] });
    expect(e.requestsFor('CreateAuditSuppression')).toHaveLength(0);
    const yes = await inTerminal('yes', 'suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab', '--json');
    expect(yes.code).toBe(0);
    expect(yes.json()).toMatchObject({ findingId: 'finding-cert', ...certKey, until: '2099-01-01T00:00:00.000Z', applied: true });
    expect(suppressionsNow()).toEqual([{ ...certKey, suppressIndefinitely: false, description: 'lab' }]);

    const unScript = await cli('unsuppress', 'finding-cert');
    expect(unScript.code).toBe(2);
    expect(unScript.out).toMatch(/^would delete the suppression of DEVICE_CERTIFICATE_SHARED_CHECK .*until 2099-01-01T00:00:00.000Z: "lab"\); its findings will be reported and mitigated again$/);
    const unNo = await inTerminal('no', 'unsuppress', 'finding-cert');
    expect(unNo).toMatchObject({ code: 1, questions: ['Delete this suppression?'] });
    expect(e.requestsFor('DeleteAuditSuppression')).toHaveLength(0);
    expect((await inTerminal('yes', 'unsuppress', 'finding-cert')).code).toBe(0);
    expect(e.auditSuppressions()).toEqual([]);
  });

  test('a suppression that exists already is an error, and changes nothing', async () => {
    await cli('suppress', 'finding-cert', '--indefinitely', '--reason', 'first', '--yes');
    const second = await cli('suppress', 'finding-cert', '--until', UNTIL, '--reason', 'second', '--yes');
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/^error: ResourceAlreadyExistsException/);
    expect(suppressionsNow()).toEqual([{ ...certKey, suppressIndefinitely: true, description: 'first' }]);
  });

  test.each([
    [['suppress', 'finding-cert', '--reason', 'x'], /exactly one of --until DATE and --indefinitely/],
    [['suppress', 'finding-cert', '--until', UNTIL, '--indefinitely', '--reason', 'x'], /exactly one of --until DATE and --indefinitely/],
    [['suppress', 'finding-cert', '--until', 'soon', '--reason', 'x'], /--until "soon": not a date/],
    [['suppress', 'finding-cert', '--until', '2001-01-01', '--reason', 'x'], /--until 2001-01-01: must be in the future/],
    [['suppress', 'finding-cert', '--indefinitely'], /suppress needs --reason TEXT/],
    [['suppress', 'finding-cert', '--indefinitely', '--reason', 'x'.repeat(1001)], /--reason: must be at most 1000 printable ASCII characters/],
    [['suppress', '--indefinitely', '--reason', 'x'], /suppress takes one finding id, got 0/],
    [['unsuppress'], /unsuppress takes one finding id, got 0/],
  ])('%j is a usage error (exit 2), nothing is read or written', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(e.requests).toHaveLength(0);
  });

  test('an unknown finding is an error, not a crash', async () => {
    const result = await cli('suppress', 'nope', '--indefinitely', '--reason', 'x', '--yes');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: ResourceNotFoundException/);
  });
});
