/**
 * The quick-start app: one mitigation action of every type, each with its generated
 * least-privilege role. `npx cdk synth` synthesizes it and prints the template.
 */
import { App, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LogLevel, MitigationAction, MitigationActionParams } from '../src';

export class QuickstartStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const quarantine = new iot.CfnThingGroup(this, 'QuarantineGroup', { thingGroupName: 'quarantine' });
    const findingsKey = new kms.Key(this, 'FindingsKey', {
      description: 'Encrypts Device Defender findings published to SNS',
      enableKeyRotation: true,
    });
    const findings = new sns.Topic(this, 'Findings', { masterKey: findingsKey, enforceSSL: true });

    new MitigationAction(this, 'QuarantineThings', {
      mitigationActionName: 'quarantine-things',
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [quarantine] }),
    });
    new MitigationAction(this, 'EnableLogging', {
      actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
    });
    new MitigationAction(this, 'NotifySecurityTeam', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: findings }),
    });
    new MitigationAction(this, 'BlankPolicy', {
      actionParams: MitigationActionParams.replaceDefaultPolicyVersion(),
    });
    new MitigationAction(this, 'DeactivateCaCertificate', {
      actionParams: MitigationActionParams.updateCaCertificate(),
    });
    new MitigationAction(this, 'DeactivateDeviceCertificate', {
      actionParams: MitigationActionParams.updateDeviceCertificate(),
    });

    Tags.of(this).add('project', 'cdk-device-defender-quickstart');
  }
}

/** Builds the quick-start app; tests call this to check exactly what `cdk synth` deploys. */
export function buildApp(app: App = new App()): { app: App; stack: QuickstartStack } {
  const stack = new QuickstartStack(app, 'DeviceDefenderQuickstart');
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
