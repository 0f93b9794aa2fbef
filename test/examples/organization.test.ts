import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  MAX_TEMPLATE_BODY_BYTES, OrganizationSpokeStack, PLACEHOLDER_SETTINGS, SpokeStackSet, SpokeStackSetProps, buildOrganizationApp,
} from '../../examples/organization';
import { expectValidTemplate, lambdaRoleDependsOn, unacknowledgedFindings } from '../util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from '../util/nag';

/** The organization app as `cdk synth` builds it, with cdk-nag's packs on the app and on the spoke's stage. */
function synthOrganization(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  addNagPacks(app);
  const built = buildOrganizationApp(app);
  addNagPacks(built.spokeStage);
  app.synth();
  return built;
}

/** The StackSet resource's properties. */
function stackSetProperties(stack: Stack): any {
  const found = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet'));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** The spoke template the StackSet deploys, parsed from its TemplateBody. */
function embeddedTemplate(stack: Stack): any {
  return JSON.parse(stackSetProperties(stack).TemplateBody);
}

describe('examples/organization.ts', () => {
  const built = synthOrganization();
  const { hubStack, spokeStack, spokeStage, stackSetStack } = built;

  test('the StackSet: service-managed, as a delegated administrator, auto-deployed to the organizational unit in two regions, named IAM', () => {
    expect(stackSetProperties(stackSetStack)).toEqual({
      StackSetName: 'cdk-device-defender-spoke',
      Description: expect.any(String),
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: {
        RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-a1b2-c3d4e5f6'] }, Regions: ['eu-west-1', 'us-east-1'] }],
      TemplateBody: expect.any(String),
    });
    expect(stackSetStack.account).toBe(PLACEHOLDER_SETTINGS.stackSetAccount);
  });

  test('embeds the spoke stack\'s synthesized template, exactly, as compact JSON within TemplateBody\'s 51,200 bytes', () => {
    const body: string = stackSetProperties(stackSetStack).TemplateBody;
    expect(JSON.parse(body)).toEqual(spokeStage.synth().getStackArtifact(spokeStack.artifactId).template);
    expect(body).toBe(JSON.stringify(JSON.parse(body)));
    expect(Buffer.byteLength(body, 'utf-8')).toBeLessThanOrEqual(MAX_TEMPLATE_BODY_BYTES);
  });

  test('the embedded template: no parameter (no asset, no bootstrap version), no Lambda function, no custom resource, nothing from another stack', () => {
    const template = embeddedTemplate(stackSetStack);
    expect(template.Parameters).toBeUndefined();
    expect(template.Rules).toBeUndefined();
    const types = Object.values<any>(template.Resources).map((r) => r.Type as string);
    expect(types.filter((type) => /^(AWS::Lambda::|Custom::|AWS::CloudFormation::|AWS::CDK::)/.test(type))).toEqual([]);
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/Fn::ImportValue|AssetParameters|cdk-bootstrap|aws:cdk:path|aws:asset:/);
    // What a member account gets: its audit setup, two actions with their roles, the spoke.
    expect(types).toEqual(expect.arrayContaining([
      'AWS::IoT::AccountAuditConfiguration', 'AWS::IoT::ScheduledAudit', 'AWS::IoT::MitigationAction', 'AWS::SNS::Subscription', 'AWS::SSM::Parameter',
    ]));
  });

  test('an account that leaves keeps only the audit configuration, the notification key and the IoT logging role (DeletionPolicy Retain)', () => {
    const retained = Object.values<any>(embeddedTemplate(stackSetStack).Resources).filter((r) => r.DeletionPolicy === 'Retain').map((r) => r.Type);
    expect(retained.sort()).toEqual(['AWS::IAM::Role', 'AWS::IoT::AccountAuditConfiguration', 'AWS::KMS::Key']);
  });

  test('the spoke\'s cloud assembly holds its template and nothing else: no asset, no asset manifest', () => {
    const assembly = spokeStage.synth();
    expect(assembly.artifacts.map((a) => a.manifest.type)).toEqual(['aws:cloudformation:stack']);
    // Besides the template: the assembly's manifest, tree and version marker (cdk.out), and the stack's metadata.
    expect(fs.readdirSync(assembly.directory).filter((f) => !/\.(template|metadata)\.json$|^(manifest\.json|tree\.json|cdk\.out)$/.test(f))).toEqual([]);
    expect(path.relative(built.app.outdir, assembly.directory)).toBe('assembly-SpokeTemplate');
  });

  test('the spoke is environment-agnostic: its role is named with the deployment region; it trusts the hub\'s roles of the settings', () => {
    const template = embeddedTemplate(stackSetStack);
    const roles = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName);
    expect(roles.map((r) => r.Properties.RoleName)).toEqual([{ 'Fn::Join': ['', ['cdk-device-defender-spoke-', { Ref: 'AWS::Region' }]] }]);
    const statement = roles[0].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': PLACEHOLDER_SETTINGS.organizationId });
    expect(JSON.stringify(statement.Condition.ArnEquals)).toContain(`:iam::${PLACEHOLDER_SETTINGS.hubAccount}:role/cdk-device-defender-hub-audit-eu-west-1`);
    const subscription = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::SNS::Subscription');
    expect(JSON.stringify(subscription.Properties.Endpoint)).toContain(`:sqs:eu-west-1:${PLACEHOLDER_SETTINGS.hubAccount}:cdk-device-defender-hub-notifications`);
  });

  test('the hub accepts the organization\'s topics (aws:SourceOrgID), in the hub account and region', () => {
    expect([hubStack.account, hubStack.region]).toEqual([PLACEHOLDER_SETTINGS.hubAccount, PLACEHOLDER_SETTINGS.hubRegion]);
    Template.fromStack(hubStack).hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'SpokeTopicsDeliver', Condition: Match.objectLike({ StringEquals: { 'aws:SourceOrgID': PLACEHOLDER_SETTINGS.organizationId } }),
        })]),
      },
    });
  });

  test('`cdk deploy --all` deploys the hub, then the StackSet; the spoke\'s stage is not deployed as a stack', () => {
    const assembly = built.app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['DeviceDefenderHub', 'DeviceDefenderSpokeStackSet']);
    expect(assembly.getStackByName('DeviceDefenderSpokeStackSet').dependencies.map((d) => d.id)).toContain('DeviceDefenderHub');
  });

  test('cdk-nag (AwsSolutions, Serverless) finds nothing unsuppressed in the hub, the spoke and the StackSet stacks; every suppression is used', () => {
    for (const stack of [hubStack, spokeStack, stackSetStack]) {
      expect([stack.stackName, nagFindings(stack)]).toEqual([stack.stackName, []]);
      expect([stack.stackName, unusedNagSuppressions(stack)]).toEqual([stack.stackName, []]);
    }
  });

  test('the CloudFormation validator finds nothing in the hub, the embedded spoke template and the StackSet stack', () => {
    expectValidTemplate(hubStack, lambdaRoleDependsOn(hubStack));
    expect(unacknowledgedFindings(embeddedTemplate(stackSetStack))).toEqual([]);
    expectValidTemplate(stackSetStack);
  });

  test('the embedded template is the same whoever synthesizes it (the CDK CLI adds path metadata and version reporting)', () => {
    const cli = new App({ context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true } });
    const fromCli = buildOrganizationApp(cli);
    expect(stackSetProperties(fromCli.stackSetStack).TemplateBody).toBe(stackSetProperties(stackSetStack).TemplateBody);
    expect(Template.fromStack(fromCli.hubStack).toJSON().Resources.CDKMetadata).toBeDefined();
  });
});

describe('examples/organization.ts settings', () => {
  test('come from the context: SELF from the management account, lists comma-separated or as JSON arrays', () => {
    const { stackSetStack, hubStack } = synthOrganization({
      hubAccount: '333333333333',
      hubRegion: 'us-west-2',
      organizationId: 'o-zyxwvutsrq',
      stackSetAccount: '444444444444',
      stackSetRegion: 'us-east-1',
      callAs: 'SELF',
      organizationalUnitIds: 'ou-ab12-11111111, ou-ab12-22222222',
      spokeRegions: ['us-west-2', 'eu-central-1', 'ap-northeast-1'],
    });
    const properties = stackSetProperties(stackSetStack);
    expect(properties.CallAs).toBe('SELF');
    expect(properties.StackInstancesGroup).toEqual([{
      DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-22222222'] }, Regions: ['us-west-2', 'eu-central-1', 'ap-northeast-1'],
    }]);
    expect([stackSetStack.account, stackSetStack.region, hubStack.account, hubStack.region]).toEqual(['444444444444', 'us-east-1', '333333333333', 'us-west-2']);
    expect(properties.TemplateBody).toContain('cdk-device-defender-hub-audit-us-west-2');
    expect(properties.TemplateBody).toContain('o-zyxwvutsrq');
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['an account that is not 12 digits', { hubAccount: '1234' }, /context hubAccount: got "1234"; expected one, an AWS account id, 12 digits/],
    ['two hub regions', { hubRegion: 'eu-west-1,us-east-1' }, /context hubRegion: got "eu-west-1,us-east-1"; expected one, a region name/],
    ['a callAs AWS does not know', { callAs: 'ADMIN' }, /context callAs: got "ADMIN"; expected one, SELF \(from the management account\) or DELEGATED_ADMIN/],
    ['an account id for an organizational unit', { organizationalUnitIds: '123456789012' }, /context organizationalUnitIds: got "123456789012"; expected one or more distinct organizational unit ids/],
    ['no region', { spokeRegions: '' }, /context spokeRegions: got ""; expected one or more distinct region names/],
    ['a region twice', { spokeRegions: ['eu-west-1', 'eu-west-1'] }, /context spokeRegions: got \["eu-west-1","eu-west-1"\]; expected one or more distinct/],
    ['an organization id that is not one', { organizationId: 'org-1' }, /context organizationId: got "org-1"; expected one, an AWS Organizations organization id/],
  ])('refuse %s', (_name, context, message) => {
    expect(() => buildOrganizationApp(new App({ context }))).toThrow(message);
  });
});

describe('SpokeStackSet', () => {
  /** A StackSet of `spokeStack` in a stack of `app`. */
  function stackSetOf(app: App, spokeStack: Stack, props: Partial<SpokeStackSetProps> = {}): Stack {
    const stack = new Stack(app, 'StackSetStack');
    new SpokeStackSet(stack, 'SpokeStackSet', {
      spokeStack, stackSetName: 'spokes', callAs: 'SELF', organizationalUnitIds: ['r-abcd'], regions: ['eu-west-1'], ...props,
    });
    return stack;
  }
  const hub = { account: '111111111111', region: 'eu-west-1' };

  test(`refuses, at synth, a spoke template over ${MAX_TEMPLATE_BODY_BYTES} bytes, with its size`, () => {
    // GIVEN a spoke padded past the limit
    const app = new App();
    const spokeStack = new OrganizationSpokeStack(new Stage(app, 'Spoke'), 'Spoke', { hub });
    new CfnResource(spokeStack, 'Padding', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES) } });
    stackSetOf(app, spokeStack);
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/the spoke template is 6\d{4} bytes, more than a StackSet's TemplateBody takes \(51200\): .*TemplateURL/);
  });

  test('refuses, at synth, a spoke template with parameters: a default synthesizer\'s BootstrapVersion', () => {
    const app = new App();
    const spokeStack = new Stack(new Stage(app, 'Spoke'), 'Spoke');
    new CfnResource(spokeStack, 'Topic', { type: 'AWS::SNS::Topic' });
    stackSetOf(app, spokeStack);
    expect(() => app.synth()).toThrow(/the spoke template has parameters \(BootstrapVersion\) that this StackSet does not set; .*BootstraplessSynthesizer/);
  });

  test('refuses a spoke stack in the StackSet\'s own stage, which cdk deploy would deploy as a stack', () => {
    const app = new App();
    const spokeStack = new OrganizationSpokeStack(app, 'Spoke', { hub });
    expect(() => stackSetOf(app, spokeStack)).toThrow(/SpokeStackSet StackSetStack\/SpokeStackSet: spokeStack Spoke is in this StackSet's own stage: define it in a Stage/);
  });
});
