/**
 * The organization app: one `MitigationHub` in a security account, and a `MitigationSpoke` in every
 * account of an organizational unit, in two regions, rolled out by a service-managed CloudFormation
 * StackSet that also deploys it to each account that joins the unit later.
 *
 * The spoke has no asset, so the StackSet embeds its synthesized template (`TemplateBody`): no S3
 * template URL, no per-region asset buckets, nothing to upload, and no dependency beside aws-cdk-lib.
 *
 *   npx cdk synth --app 'npx ts-node --prefer-ts-exts --project tsconfig.dev.json --require ./projenrc/bundle.ts examples/organization.ts' \
 *     -c hubAccount=111111111111 -c hubRegion=eu-west-1 -c organizationId=o-a1b2c3d4e5 \
 *     -c stackSetAccount=222222222222 -c stackSetRegion=eu-west-1 -c callAs=DELEGATED_ADMIN \
 *     -c organizationalUnitIds=ou-a1b2-c3d4e5f6 -c spokeRegions=eu-west-1,us-east-1
 *
 * Without context, the placeholders below are used. Deploy the hub first: the StackSet's stack
 * depends on it, so `cdk deploy --all` deploys the hub, then the StackSet.
 */
import { App, BootstraplessSynthesizer, Lazy, Stack, StackProps, Stage, Tags } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, LogLevel, MitigationAction, MitigationActionParams, MitigationHub, MitigationHubAttributes,
  MitigationSpoke, ScheduledAudit,
} from '../src';

/** Who calls the StackSet API: the management account (`SELF`) or a delegated administrator for StackSets. */
export type CallAs = 'SELF' | 'DELEGATED_ADMIN';

/** Where the example deploys. */
export interface OrganizationSettings {
  /** The security (or tooling) account of the hub. */
  readonly hubAccount: string;
  readonly hubRegion: string;
  /** The organization whose accounts the hub serves. */
  readonly organizationId: string;
  /** The account that owns the StackSet: a delegated administrator for StackSets (`callAs` DELEGATED_ADMIN) or the management account (SELF). */
  readonly stackSetAccount: string;
  readonly stackSetRegion: string;
  readonly callAs: CallAs;
  /** The organizational units (or the root, `r-...`) whose accounts get a spoke. */
  readonly organizationalUnitIds: string[];
  /** The regions each of those accounts gets a spoke in: regions where AWS IoT Device Defender runs. */
  readonly spokeRegions: string[];
}

/** The values used when the context gives none. */
export const PLACEHOLDER_SETTINGS: OrganizationSettings = {
  hubAccount: '111111111111',
  hubRegion: 'eu-west-1',
  organizationId: 'o-a1b2c3d4e5',
  stackSetAccount: '222222222222',
  stackSetRegion: 'eu-west-1',
  callAs: 'DELEGATED_ADMIN',
  organizationalUnitIds: ['ou-a1b2-c3d4e5f6'],
  spokeRegions: ['eu-west-1', 'us-east-1'],
};

const ACCOUNT = /^[0-9]{12}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$/;
const SETTING_PATTERNS: Record<keyof OrganizationSettings, [RegExp, string]> = {
  hubAccount: [ACCOUNT, 'an AWS account id, 12 digits'],
  hubRegion: [REGION, 'a region name, such as eu-west-1'],
  organizationId: [/^o-[a-z0-9]{10,32}$/, 'an AWS Organizations organization id, o- and 10 to 32 lowercase letters or digits'],
  stackSetAccount: [ACCOUNT, 'an AWS account id, 12 digits'],
  stackSetRegion: [REGION, 'a region name, such as eu-west-1'],
  callAs: [/^(SELF|DELEGATED_ADMIN)$/, 'SELF (from the management account) or DELEGATED_ADMIN (from a delegated administrator)'],
  organizationalUnitIds: [/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/, 'organizational unit ids (ou-...) or the root id (r-...)'],
  spokeRegions: [REGION, 'region names, such as eu-west-1'],
};

/**
 * The settings from the app's context (`-c key=value`; lists comma-separated, or JSON arrays in
 * cdk.json), each missing one from `PLACEHOLDER_SETTINGS`. Refuses a value that is not valid.
 */
export function settingsFromContext(scope: Construct): OrganizationSettings {
  const read = <K extends keyof OrganizationSettings>(key: K): OrganizationSettings[K] => {
    const given: unknown = scope.node.tryGetContext(key);
    const placeholder = PLACEHOLDER_SETTINGS[key];
    if (given === undefined) { return placeholder; }
    const values = Array.isArray(given) ? given.map(String) : String(given).split(',').map((v) => v.trim()).filter((v) => v !== '');
    const [pattern, allowed] = SETTING_PATTERNS[key];
    const wrong = values.filter((v) => !pattern.test(v));
    const isList = Array.isArray(placeholder);
    if (wrong.length > 0 || values.length === 0 || (!isList && values.length !== 1) || new Set(values).size !== values.length) {
      throw new Error(`context ${key}: got ${JSON.stringify(given)}; expected ${isList ? 'one or more distinct ' : 'one, '}${allowed}`);
    }
    return (isList ? values : values[0]) as OrganizationSettings[K];
  };
  const keys = Object.keys(PLACEHOLDER_SETTINGS) as Array<keyof OrganizationSettings>;
  return Object.fromEntries(keys.map((key) => [key, read(key)])) as unknown as OrganizationSettings;
}

/** The hub's stack, in the security account and region. */
export class OrganizationHubStack extends Stack {
  public readonly hub: MitigationHub;

  constructor(scope: Construct, id: string, props: StackProps & { readonly organizationId: string }) {
    super(scope, id, props);
    const reportsKey = new kms.Key(this, 'ReportsKey', { description: 'Encrypts the reports of the Device Defender mitigation hub', enableKeyRotation: true });
    const reports = new sns.Topic(this, 'Reports', { masterKey: reportsKey, enforceSSL: true });
    // securityHub: the findings of every task the hub starts say, in the spoke's Security Hub, what was done.
    this.hub = new MitigationHub(this, 'Hub', { organizationId: props.organizationId, reportTopic: reports, securityHub: { enableIntegration: true } });
    Tags.of(this).add('project', 'cdk-device-defender-organization');
  }
}

/**
 * What every member account gets in every region: the StackSet deploys this template as it is, so
 * it has no environment (the same template everywhere), no asset and nothing from another stack.
 */
export class OrganizationSpokeStack extends Stack {
  public readonly spoke: MitigationSpoke;

  constructor(scope: Construct, id: string, props: { readonly hub: MitigationHubAttributes }) {
    super(scope, id, {
      description: 'cdk-device-defender spoke: this account\'s audits, mitigation actions and rules, mitigated by the organization\'s hub',
      // BootstraplessSynthesizer refuses assets (a StackSet instance cannot read them) and adds no
      // check of the CDK bootstrap version (member accounts are not bootstrapped).
      synthesizer: new BootstraplessSynthesizer(),
      // No AWS::CDK::Metadata resource in every account and region.
      analyticsReporting: false,
    });
    const hub = MitigationHub.fromHubAttributes(this, 'Hub', props.hub);

    const deactivate = new MitigationAction(this, 'DeactivateDeviceCertificate', {
      actionParams: MitigationActionParams.updateDeviceCertificate(),
    });
    const enableLogging = new MitigationAction(this, 'EnableLogging', {
      actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
    });

    // The account's policy; the hub applies it when an audit of this account and region finishes.
    const spoke = new MitigationSpoke(this, 'Spoke', {
      hub,
      maxFindingsPerCheck: 50,
      // Lets the hub turn on Device Defender's Security Hub integration here, and note what it did on the findings.
      securityHub: { enableIntegration: true },
      rules: [
        { check: AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, actions: [deactivate] },
        { check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [enableLogging] },
      ],
    });
    const configuration = new AuditConfiguration(this, 'AuditConfiguration', { mitigation: spoke });
    spoke.addScheduledAudit(new ScheduledAudit(this, 'DailyAudit', {
      configuration,
      frequency: AuditFrequency.daily(),
      scheduledAuditName: 'daily',
      checks: [
        AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
      ],
    }));
    this.spoke = spoke;
  }
}

/** The most bytes a StackSet's `TemplateBody` takes; a larger template must be uploaded to S3 (`TemplateURL`). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** Properties of a `SpokeStackSet`. */
export interface SpokeStackSetProps {
  /** The stack whose synthesized template every instance deploys: in a `Stage` of its own, with no asset and no parameter. */
  readonly spokeStack: Stack;
  readonly stackSetName: string;
  readonly callAs: CallAs;
  readonly organizationalUnitIds: string[];
  readonly regions: string[];
}

/**
 * A service-managed StackSet that deploys `spokeStack`'s template to every account of the
 * organizational units, in every region of `regions`, and to each account that joins them.
 */
export class SpokeStackSet extends Construct {
  public readonly resource: CfnStackSet;

  constructor(scope: Construct, id: string, props: SpokeStackSetProps) {
    super(scope, id);
    const spokeStage = Stage.of(props.spokeStack)!;
    if (spokeStage === Stage.of(this)) {
      throw new Error(`SpokeStackSet ${this.node.path}: spokeStack ${props.spokeStack.node.path} is in this StackSet's own stage: define it in a Stage `
        + 'of its own, so that it is not deployed as a stack of the app and cannot refer to another stack (a StackSet instance cannot resolve that)');
    }
    // The spoke's stage synthesizes before this stack's template is written (nested stages first).
    const template = () => spokeStage.synth().getStackArtifact(props.spokeStack.artifactId).template;
    const templateBody = () => JSON.stringify(template());
    this.node.addValidation({ validate: () => this.problems(template(), templateBody()) });

    this.resource = new CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName,
      description: 'cdk-device-defender spokes: each account and region of the organizational units, mitigated by the organization\'s hub',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      // An account that joins a unit gets the spokes; one that leaves loses them (the hub keeps its registry entry).
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      // The spoke names its role (<spokeRoleName>-<region>).
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // Queues an operation that arrives while another runs, rather than failing it.
      managedExecution: { Active: true },
      // All regions at once, a quarter of the accounts at a time; a failure in 10% of the accounts
      // stops the operation in that region, without slowing the others down. Auto-deployment ignores them.
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
        concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: props.organizationalUnitIds }, regions: props.regions }],
      templateBody: Lazy.string({ produce: templateBody }),
    });
  }

  private problems(template: any, body: string): string[] {
    const problems: string[] = [];
    const parameters = Object.keys(template.Parameters ?? {});
    if (parameters.length > 0) {
      problems.push(`the spoke template has parameters (${parameters.join(', ')}) that this StackSet does not set; BootstrapVersion means the `
        + 'spoke stack checks the CDK bootstrap, which member accounts do not have: give the spoke stack a BootstraplessSynthesizer');
    }
    const bytes = Buffer.byteLength(body, 'utf-8');
    if (bytes > MAX_TEMPLATE_BODY_BYTES) {
      problems.push(`the spoke template is ${bytes} bytes, more than a StackSet's TemplateBody takes (${MAX_TEMPLATE_BODY_BYTES}): define fewer `
        + 'resources in the spoke, or upload its template to S3 and give the StackSet TemplateURL');
    }
    return problems;
  }
}

/** Builds the organization app; tests call this to check exactly what `cdk synth` deploys. */
export function buildOrganizationApp(app: App = new App()) {
  const settings = settingsFromContext(app);
  const hubStack = new OrganizationHubStack(app, 'DeviceDefenderHub', {
    env: { account: settings.hubAccount, region: settings.hubRegion },
    organizationId: settings.organizationId,
  });

  // The spoke's template, synthesized in a stage of its own: not a stack `cdk deploy` deploys.
  // No construct path metadata, so the template is the same whoever synthesizes it.
  const spokeStage = new Stage(app, 'SpokeTemplate');
  spokeStage.node.setContext('aws:cdk:enable-path-metadata', false);
  const spokeStack = new OrganizationSpokeStack(spokeStage, 'DeviceDefenderSpoke', {
    hub: { account: settings.hubAccount, region: settings.hubRegion, organizationId: settings.organizationId },
  });

  // In the management account or a delegated administrator's: the StackSet of the spokes.
  const stackSetStack = new Stack(app, 'DeviceDefenderSpokeStackSet', {
    env: { account: settings.stackSetAccount, region: settings.stackSetRegion },
    description: 'The StackSet that deploys the cdk-device-defender spoke to the organization\'s accounts and regions',
  });
  const stackSet = new SpokeStackSet(stackSetStack, 'SpokeStackSet', {
    spokeStack,
    stackSetName: 'cdk-device-defender-spoke',
    callAs: settings.callAs,
    organizationalUnitIds: settings.organizationalUnitIds,
    regions: settings.spokeRegions,
  });
  // Deploy the hub first: the spokes subscribe to its queue as soon as they are created, and it confirms them.
  stackSetStack.node.addDependency(hubStack);

  return { app, settings, hubStack, spokeStage, spokeStack, stackSetStack, stackSet };
}

if (require.main === module) {
  buildOrganizationApp().app.synth();
}
